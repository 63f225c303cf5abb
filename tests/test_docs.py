"""Every hook is documented in docs/plugins.md and tested (after Datasette's test_docs.py):
a section headed with the hook's signature, and a test function named
`test_hook_<hook name>` (or `test_hook_<hook name>_<what it shows>`) somewhere under tests/."""

from __future__ import annotations

import ast
import functools
import inspect
import re
from pathlib import Path

import pytest

from plugins import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"

HOOKS = sorted(name for name, fn in vars(hookspecs).items()
               if name.startswith("cosell_") and hasattr(fn, f"{hookspecs.PROJECT_NAME}_spec"))
HEADING = re.compile(r"^### `(cosell_\w+)\(([^)]*)\)", re.MULTILINE)


def documented() -> dict[str, list[str]]:
    """Hook name -> the argument names of its section heading."""
    return {name: [a.strip() for a in args.split(",") if a.strip()]
            for name, args in HEADING.findall(DOCS.read_text(encoding="utf-8"))}


@functools.lru_cache(maxsize=1)  # every test under tests/ parsed once per process, not once per hook
def hook_test_names() -> frozenset[str]:
    names = set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_hook_"):
                names.add(node.name)
    return frozenset(names)


def test_the_hook_list_is_read_from_the_specs():
    assert {"cosell_validate_opportunity", "cosell_locate_partners"} <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_signature(hook):
    sections = documented()
    assert hook in sections, f"docs/plugins.md has no section '### `{hook}(...)`'"
    spec_args = list(inspect.signature(getattr(hookspecs, hook)).parameters)
    assert sections[hook] == spec_args, f"docs/plugins.md documents {hook}({', '.join(sections[hook])}), " \
                                        f"the spec is {hook}({', '.join(spec_args)})"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    names = hook_test_names()
    assert any(name == f"test_hook_{hook}" or name.startswith(f"test_hook_{hook}_") for name in names), \
        f"no test function named test_hook_{hook}… under tests/"


def test_no_section_documents_a_hook_that_does_not_exist():
    assert set(documented()) <= set(HOOKS)


@pytest.mark.parametrize("variable", ["COSELL_PLUGINS", "COSELL_DISABLE_PLUGINS", "COSELL_DISABLE_RULES",
                                      "COSELL_PLUGIN_TIMEOUT_MS", "COSELL_TRACE_HOOKS", "COSELL_PLUGIN_<NAME>_<KEY>"])
def test_plugin_settings_are_documented(variable):
    assert f"`{variable}" in DOCS.read_text(encoding="utf-8")


def test_the_locator_entry_fields_and_order_are_documented_for_plugin_authors():
    """Issue 16 item 18: every `DirectoryEntry` field is in docs/plugins.md's locator
    section, with the order the locator applies to a plugin's answer."""
    import dataclasses

    from partners.locator.search import DirectoryEntry

    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### `cosell_locate_partners("):text.index("### `cosell_deal_registration_event(")]
    missing = [f.name for f in dataclasses.fields(DirectoryEntry) if f"`{f.name}`" not in section]
    assert not missing, f"DirectoryEntry fields not documented in docs/plugins.md: {missing}"
    assert "sort_key" in section and "delivered_engagements" in section and "distance_km" in section
    assert "The order the locator applies to a list answer" in section


def test_the_example_plugin_builds_offline_and_never_pulls_cosell_from_an_index():
    """Issue 16 item 19: the example pyproject has a [build-system] that the environment's
    setuptools satisfies, and no requirement that would fetch a package named `cosell`
    from an index (the host provides cosell; docs/plugins.md says why)."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    example = ROOT / "examples" / "cosell-plugin-example"
    project = tomllib.loads((example / "pyproject.toml").read_text(encoding="utf-8"))
    build = project["build-system"]
    assert build["build-backend"] == "setuptools.build_meta"
    setuptools = next(Requirement(r) for r in build["requires"] if Requirement(r).name == "setuptools")
    # 61 is the first setuptools with [project] tables: asking for more would refuse the
    # setuptools an environment already has.
    assert Version("61") in setuptools.specifier, "an offline build should accept any setuptools >= 61"
    requirements = [*project["project"].get("dependencies", []),
                    *(r for extra in project["project"].get("optional-dependencies", {}).values() for r in extra)]
    for requirement in map(Requirement, requirements):
        if requirement.name == "cosell":
            assert str(requirement.specifier).startswith("=="), f"unpinned {requirement}"
    assert "Depending on cosell safely" in (example / "README.md").read_text(encoding="utf-8")
