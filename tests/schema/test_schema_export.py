"""schema/schema.graphql is the committed export of the schema: it must not drift."""

from pathlib import Path

from schema import export_sdl

COMMITTED = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_committed_schema_matches_code():
    assert COMMITTED.read_text(encoding="utf-8") == export_sdl(), (
        "schema/schema.graphql is stale: run `make schema` (cosell schema export -o schema/schema.graphql) "
        "and commit it"
    )
