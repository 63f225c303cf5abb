"""docs/import-export.md describes the native format the code reads and writes (issue 35)."""

from pathlib import Path

from partners.transfer.entities import ENTITIES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "import-export.md").read_text(encoding="utf-8")


def test_every_file_and_column_of_the_native_format_is_documented():
    rows = {line.split("|")[1].strip(): line for line in DOC.splitlines() if line.startswith("| `") and ".csv`" in line}
    for entity in ENTITIES:
        line = rows.get(f"`{entity.file_name}`")
        assert line, f"{entity.file_name} is not in the table of docs/import-export.md"
        documented = [c.strip().strip("`").split(" → ")[0] for c in line.split("|")[2].split(",")]
        assert documented == [f.name for f in entity.fields], entity.name
        for f in entity.fields:
            if f.kind == "ref":
                assert f"`{f.name} → {f.ref}`" in line, (entity.name, f.name)
