"""`cosell documents add|list|remove`: the trusted documents (persisted queries) clients send by id."""

from __future__ import annotations

import sys
from pathlib import Path

from server.cli import common


def _document_paths(names: list[str]) -> list[Path]:
    from schema.documents.files import GRAPHQL_SUFFIXES

    paths: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            paths += sorted(p for p in path.rglob("*") if p.suffix.lower() in (*GRAPHQL_SUFFIXES, ".json"))
        else:
            paths.append(path)
    return paths


def cmd_documents_add(args) -> int:
    """Register a front-end build's documents (issue 17): checked against the schema and
    the limits first; all of them or none."""
    from partners.documents import store
    from plugins.manager import PluginError, plugin_manager_for
    from schema import build_schema
    from schema.documents.check import check_documents
    from schema.documents.files import documents_from_files

    settings = common.load_settings()
    try:
        documents = documents_from_files(_document_paths(args.files))
        # Against the schema the server serves: with the fields of the plugins it loads.
        check_documents(build_schema(settings, plugin_manager_for(settings)), settings, documents)
    except (store.DocumentRefused, OSError, PluginError) as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return 2
    if not documents:
        print("cosell: no operation found in these files", file=sys.stderr)
        return 2
    common.bind(settings)
    try:
        report = common.run(store.add(documents))
    except store.DocumentRefused as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return 2
    by_id = {d.document_id: d for d in documents}
    for document_id in report.added:
        names = ", ".join(by_id[document_id].operation_names) or "(anonymous)"
        print(f"added      {document_id}  {names}  {by_id[document_id].source}")
    for document_id in report.unchanged:
        print(f"unchanged  {document_id}  {by_id[document_id].source}")
    print(f"{len(report.added)} document(s) added, {len(report.unchanged)} already registered.")
    return 0


def cmd_documents_list(args) -> int:
    from partners.documents import store

    common.bind(common.load_settings())
    documents = common.run(store.list_all())
    for document in documents:
        print(f"{document.document_id}  {', '.join(document.operation_names) or '(anonymous)'}  {document.source}")
    print(f"{len(documents)} registered document(s).")
    return 0


def cmd_documents_remove(args) -> int:
    from partners.documents import store

    common.bind(common.load_settings())
    count = common.run(store.remove(args.ids))
    if not count:
        print("cosell: no registered document has these ids", file=sys.stderr)
        return 1
    print(f"Removed {count} document(s); every instance stops accepting them within 30 s.")
    return 0
