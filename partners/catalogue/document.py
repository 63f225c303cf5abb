"""docs/rules.md from the catalogue: each rule with the places that cite it.

`cited_in(root)` reads the project's source (partners, plugins, schema, server) and tests
for rule ids, so the document says where each rule is enforced and tested as the code is
today; `markdown(...)` writes the page. `cosell rules export > docs/rules.md` refreshes it,
and a test fails when the committed page differs from a fresh export.
"""

from __future__ import annotations

import re
from pathlib import Path

from partners.catalogue.rule import GROUPS, Rule

CODE_DIRS = ("partners", "plugins", "schema", "server", "cosell_contrib")
TEST_DIRS = ("tests",)
CITED = re.compile(r"\b([AORDP][1-9]\d?)\b")
# A product that shares a rule's id is not a citation of it.
NOT_RULE_IDS = re.compile(r"Cloudflare R2")
# Tests are also named after the rule they check: `def test_a8_first_order_target`.
TEST_NAMED = re.compile(r"\btest_([aordp][1-9]\d?)_")
# The catalogue names every id; citing it there is not enforcing it.
NOT_CITATIONS = ("partners/catalogue/", "server/cli/rules.py")

INTRO = """\
# The rules cosell enforces

Every behaviour of cosell's domain traces back to a rule with an id: **A** accounts,
**O** opportunities, **R** reseller opportunities and partner precedence, **D** deal
registration, co-sell, discounts, the locator and SMB cases, **P** the channel program.
Errors name the rule that refused an input (`rule` in a `UserError`), schema descriptions
and code comments cite them, and any signed-in user can look one up in GraphQL:
`rule(id: "P8") { title text }` or `rules { id title }`.

Under each rule: the seed documents it comes from (the vendor's public handbook pages 000–004
and its public channel-program handbook), and the modules and tests that cite it. Generated
from `partners/catalogue/` by `cosell rules export > docs/rules.md`; a test fails when this page
differs from a fresh export or when code cites an id that is not here.
"""


def _files(root: Path, dirs: tuple[str, ...]) -> list[Path]:
    return sorted(p for d in dirs for p in (root / d).rglob("*.py") if "node_modules" not in p.parts)


def cited_in(root: Path) -> dict[str, dict[str, list[str]]]:
    """For each id cited: {"code": [module paths], "tests": [test file paths]}."""
    found: dict[str, dict[str, list[str]]] = {}
    for kind, dirs in (("code", CODE_DIRS), ("tests", TEST_DIRS)):
        for path in _files(root, dirs):
            name = path.relative_to(root).as_posix()
            if name.startswith(NOT_CITATIONS):
                continue
            text = NOT_RULE_IDS.sub("", path.read_text(errors="ignore"))
            ids = set(CITED.findall(text)) | {i.upper() for i in TEST_NAMED.findall(text)}
            for rule_id in sorted(ids):
                found.setdefault(rule_id, {"code": [], "tests": []})[kind].append(name)
    return found


def _places(paths: list[str]) -> str:
    return ", ".join(f"`{p}`" for p in paths) if paths else "none yet"


def markdown(rules: dict[str, Rule], citations: dict[str, dict[str, list[str]]]) -> str:
    out = [INTRO]
    for letter, group in GROUPS.items():
        out.append(f"\n## {letter}: {group}\n")
        for rule in (r for r in rules.values() if r.id[0] == letter):
            cited = citations.get(rule.id, {"code": [], "tests": []})
            sources = ", ".join("channel-program handbook" if s == "program" else f"seed {s}" for s in rule.sources)
            out.append(f"\n### {rule.id}: {rule.title}\n\n{rule.text}\n\n")
            out.append(f"- Source: {sources or 'none'}\n")
            if rule.enforced:
                out.append(f"- Enforced in: {_places(cited['code'])}\n- Tested in: {_places(cited['tests'])}\n")
            else:
                out.append("- Not enforced yet.\n")
    return "".join(out)
