"""The import's faster paths (issue 35 item 2's speed and memory) give the same result as
the plain one: the parsing process of a big file, the first import into an empty table
(no comparison with records that cannot exist), the external ids of a file kept on disk,
P5 across batches from the database."""

from __future__ import annotations

import csv

from partners.accounts.tables import Account
from partners.transfer.stream import SeenKeys
from partners.transfer.runner import run_import
from tests.transfer.test_salesforce_import import (
    EXPECTED_REJECTIONS,
    RULES,
    counts,
    export_everything,
    import_salesforce,
    rejections,
)

FIRST_COUNTS = {
    "partners": (2, 2, 0, 0, 0), "users": (4, 4, 0, 0, 0), "accounts": (10, 6, 0, 0, 4),
    "contacts": (4, 3, 0, 0, 1), "opportunities": (4, 3, 0, 0, 1), "registrations": (3, 2, 0, 0, 1),
}


async def test_one_row_per_batch_parsed_by_a_second_process_gives_the_same_import(world, tmp_path):
    # Every file parsed in the forked process (threshold 0 bytes), one row per batch: the
    # duplicate external id is found in an earlier chunk (on disk), the second approval of
    # an opportunity in an earlier batch (P5, from the database).
    first = await import_salesforce(tmp_path, "first", batch=1, parse_process_from=0)
    assert rejections(first.report) == EXPECTED_REJECTIONS
    assert counts(first) == FIRST_COUNTS
    written = await export_everything()

    again = await import_salesforce(tmp_path, "again", batch=1, parse_process_from=0)
    assert all(created == updated == 0 for _, created, updated, _, _ in counts(again).values())
    assert rejections(again.report) == EXPECTED_REJECTIONS
    assert await export_everything() == written


async def test_a_dry_run_in_a_second_process_writes_nothing(world, tmp_path):
    result = await import_salesforce(tmp_path, "dry", dry_run=True, parse_process_from=0)
    assert rejections(result.report) == EXPECTED_REJECTIONS
    assert counts(result)["accounts"] == (10, 6, 0, 0, 4)
    assert await Account.count() == 0


def _accounts(path, rows: list[tuple[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["external_id", "name", "account_type", "region", "country", "currency"])
        out.writerows([key, name, "CUSTOMER", "EMEA", "DE", "EUR"] for key, name in rows)


async def test_a_second_file_of_the_same_entity_updates_what_the_first_one_created(world, tmp_path):
    # The first file goes into an empty table (the first-import path); the second one, in
    # the same run, finds the table filled and updates instead of duplicating.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _accounts(tmp_path / "a" / "accounts.csv", [("A1", "Alpha"), ("A2", "Beta"), ("A1", "Alpha again")])
    _accounts(tmp_path / "b" / "accounts.csv", [("A2", "Beta renamed"), ("A3", "Gamma")])
    result = await run_import([tmp_path / "a", tmp_path / "b"], rules=RULES, report_path=tmp_path / "r.csv")

    assert counts(result)["accounts"] == (5, 3, 1, 0, 1)
    assert {(r[1], r[4]) for r in rejections(result.report)} == {("4", "DUPLICATE_EXTERNAL_ID")}
    names = sorted(r["name"] for r in await Account.select(Account.name))
    assert names == ["Alpha", "Beta renamed", "Gamma"]


def test_seen_keys_tell_the_first_time_of_each_pair_across_calls():
    seen = SeenKeys()
    try:
        assert seen.first_time([("csv", "1"), ("csv", "2"), ("csv", "1"), ("sf", "1")]) == [True, True, False, True]
        assert seen.first_time([("sf", "1"), ("csv", "3"), ("csv", "3"), ("csv", "2")]) == [False, True, False, False]
        assert seen.first_time([]) == []
    finally:
        seen.close()
