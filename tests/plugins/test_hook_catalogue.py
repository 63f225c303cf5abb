"""docs/plugins.md's hook catalogue stays complete and true (issue 41): one row per hook of
plugins/hookspecs.py with its signature, firstresult or not, sync or async, what it
receives and a test that exists; one section per hook with what it receives and an example."""

from __future__ import annotations

import ast
import functools
import inspect
import re
from pathlib import Path

import pytest

from plugins import contracts, hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
HOOKS = sorted(name for name, fn in vars(hookspecs).items()
               if name.startswith("cosell_") and hasattr(fn, f"{hookspecs.PROJECT_NAME}_spec"))
ROW = re.compile(r"^\| `(cosell_\w+)\(([^)]*)\)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| [^|]+ \| `(test_hook_\w+)` \|$",
                 re.MULTILINE)
# The hooks whose implementations may be `async def` (awaited by the host): the contracts'
# list when it has one, else those that take awaitable answers (the locator, the rates fetch).
ASYNC_HOOKS = getattr(contracts, "ASYNC_HOOKS", frozenset({"cosell_locate_partners", "cosell_exchange_rate"}))


def catalogue() -> dict[str, tuple[list[str], str, str, str, str]]:
    text = DOCS.read_text(encoding="utf-8")
    table = text[text.index("## Hooks\n"):text.index("\n### `cosell_")]
    return {name: ([a.strip() for a in args.split(",") if a.strip()], kind.strip(), sync.strip(), receives.strip(),
                   test) for name, args, kind, sync, receives, test in ROW.findall(table)}


def section(hook: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"### `{hook}(")
    end = text.find("\n### ", start + 1)
    return text[start:end if end != -1 else len(text)]


@functools.cache
def hook_test_names() -> frozenset[str]:
    names = set()
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_hook_"):
                names.add(node.name)
    return frozenset(names)


def test_the_catalogue_lists_every_hook_of_the_specs_and_no_other():
    assert sorted(catalogue()) == HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_the_catalogue_row_matches_the_spec(hook):
    args, kind, sync, receives, test = catalogue()[hook]
    spec = getattr(hookspecs, hook)
    assert args == list(inspect.signature(spec).parameters), f"{hook}: the catalogue's signature is not the spec's"
    firstresult = getattr(spec, f"{hookspecs.PROJECT_NAME}_spec").get("firstresult", False)
    assert (kind == "firstresult") == firstresult, f"{hook}: firstresult is {firstresult}, the catalogue says {kind!r}"
    assert sync == ("sync or async" if hook in ASYNC_HOOKS else "sync"), f"{hook}: sync/async is wrong"
    assert receives, f"{hook}: the catalogue does not say what it receives"
    assert test.startswith(f"test_hook_{hook}") and test in hook_test_names(), f"{hook}: no test named {test}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_section_names_its_arguments_and_shows_an_example(hook):
    text = section(hook)
    for argument in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert f"`{argument}`" in text, f"the section of {hook} does not say what `{argument}` is"
    assert re.search(rf"@hookimpl(\(.*\))?\n *(async )?def {hook}\(", text), f"the section of {hook} has no example"
