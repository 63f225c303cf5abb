"""docs/rules.md, the rules catalogue (partners/catalogue/): complete, current, and
answered in GraphQL for the ids errors name."""

from __future__ import annotations

import re
from pathlib import Path

from partners.catalogue import RULES
from partners.catalogue.document import CODE_DIRS, NOT_CITATIONS, TEST_DIRS, cited_in, markdown

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "rules.md"
ANY_ID = re.compile(r"\b([AORDP][1-9]\d?)\b")


def test_docs_rules_md_is_the_current_export():
    assert COMMITTED.read_text(encoding="utf-8") == markdown(RULES, cited_in(ROOT)), (
        "docs/rules.md is stale: run `cosell rules export > docs/rules.md` and commit it")


def test_every_rule_id_cited_in_code_tests_and_docs_is_in_the_catalogue():
    files = [p for d in (*CODE_DIRS, *TEST_DIRS) for p in (ROOT / d).rglob("*.py")
             if "node_modules" not in p.parts and not p.relative_to(ROOT).as_posix().startswith(NOT_CITATIONS)]
    files += sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
    unknown = {f"{p.relative_to(ROOT)}: {rule_id}" for p in files
               for rule_id in ANY_ID.findall(p.read_text(errors="ignore")) if rule_id not in RULES}
    assert unknown == set()


def test_every_enforced_rule_is_cited_by_code_and_by_a_test():
    citations = cited_in(ROOT)
    lacking = {rule.id: citations.get(rule.id) for rule in RULES.values() if rule.enforced
               and not (citations.get(rule.id, {}).get("code") and citations.get(rule.id, {}).get("tests"))}
    assert lacking == {}


def test_the_catalogue_has_every_group_in_order():
    ids = list(RULES)
    assert ids[:10] == [f"A{i}" for i in range(1, 11)]
    assert [i for i in ids if i[0] == "O"] == [f"O{i}" for i in range(1, 12)]
    assert [i for i in ids if i[0] == "R"] == [f"R{i}" for i in range(1, 10)]
    assert [i for i in ids if i[0] == "D"] == [f"D{i}" for i in range(1, 16)]
    assert [i for i in ids if i[0] == "P"] == [f"P{i}" for i in range(1, 12)]


RULE = "query($id: String!) { rule(id: $id) { id group title text sources enforced } }"
RULES_OF = "query($group: String) { rules(group: $group) { id enforced } }"


async def test_a_partner_user_looks_up_the_rule_an_error_names(gql, world):
    found = (await gql(RULE, {"id": "p8"}, token=world.tokens["alpha_user"]))["data"]["rule"]
    assert found["id"] == "P8" and found["group"] == "The channel program"
    assert "never increased" in found["text"] and found["sources"] == ["program"] and found["enforced"] is True
    assert (await gql(RULE, {"id": "Z9"}, token=world.tokens["alpha_user"]))["data"]["rule"] is None


async def test_rules_lists_a_group(gql, world):
    cases = (await gql(RULES_OF, {"group": "D"}, token=world.tokens["ae"]))["data"]["rules"]
    assert [r["id"] for r in cases] == [f"D{i}" for i in range(1, 16)]
    assert all(r["enforced"] for r in cases)
    assert len((await gql(RULES_OF, {}, token=world.tokens["ae"]))["data"]["rules"]) == len(RULES)


async def test_anonymous_callers_cannot_read_the_catalogue(gql, world):
    body = await gql(RULES_OF, {}, errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
