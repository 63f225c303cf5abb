"""A front-end build's documents → `partners.documents.store.Document`s.

- `.graphql` / `.gql`: each file's exact text is one document (its SHA-256 is what an
  Apollo-style client sends for it); when a file holds several operations, each operation
  is also a document of its own (the operation and the fragments it uses, printed by
  graphql-core), so a client that sends one operation at a time finds it too. Fragments
  may live in other files of the same command (Relay/codegen colocated fragments): a file
  that is not complete alone is registered only as its operations.
- `.json`: Relay's persisted output (`{"<id>": "<text>", …}`, relay-compiler's
  `persistConfig: {"file": …}`) or Apollo's persisted query manifest
  (`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "name", "body"}]}`).
"""

from __future__ import annotations

import json
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
    Visitor,
)

from partners.documents.store import Document, DocumentRefused, sha256_hex

GRAPHQL_SUFFIXES = (".graphql", ".gql")


def documents_from_files(paths: list[Path]) -> list[Document]:
    """Every document the files define (several files may share fragments)."""
    parsed: dict[Path, tuple[str, DocumentNode]] = {}
    documents: list[Document] = []
    for path in paths:
        if path.suffix.lower() == ".json":
            documents += _from_json(path)
        elif path.suffix.lower() in GRAPHQL_SUFFIXES:
            text = path.read_text(encoding="utf-8")
            try:
                parsed[path] = (text, parse(text))
            except GraphQLError as exc:
                raise DocumentRefused(f"{path}: {exc.message} {_where(exc)}") from exc
        else:
            raise DocumentRefused(f"{path}: not a .graphql, .gql or .json file")
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path, (_, ast) in parsed.items():
        for definition in ast.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                name = definition.name.value
                if name in fragments and print_ast(fragments[name]) != print_ast(definition):
                    raise DocumentRefused(f"{path}: fragment {name} is defined twice, differently")
                fragments[name] = definition
    for path, (text, ast) in parsed.items():
        documents += _from_graphql(path, text, ast, fragments)
    return _unique(documents)


def _from_graphql(path: Path, text: str, ast: DocumentNode, fragments: dict) -> list[Document]:
    operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        return []  # fragments only: used by the operations of other files
    names = tuple(op.name.value if op.name else "" for op in operations)
    if len(operations) > 1 and not all(names):
        raise DocumentRefused(f"{path}: a file with several operations must name each of them")
    own = {d.name.value for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    documents = []
    if _used_fragments(ast.definitions, fragments) <= own:
        documents.append(Document(sha256_hex(text), text, names, str(path)))
    if len(operations) > 1 or not documents:
        for operation, name in zip(operations, names):
            used = _used_fragments([operation], fragments)
            missing = used - fragments.keys()
            if missing:
                raise DocumentRefused(f"{path}: operation {name or '(anonymous)'} uses undefined fragment(s) "
                                      f"{', '.join(sorted(missing))}")
            body = print_ast(DocumentNode(definitions=(operation, *(fragments[f] for f in sorted(used)))))
            documents.append(Document(sha256_hex(body), body, (name,) if name else (), f"{path}#{name}"))
    return documents


def _used_fragments(definitions, fragments: dict) -> set[str]:
    """Names of the fragments `definitions` spread, transitively."""
    seen: set[str] = set()
    pending = list(definitions)
    while pending:
        names: list[str] = []

        class Spreads(Visitor):
            def enter_fragment_spread(self, node: FragmentSpreadNode, *_):
                names.append(node.name.value)

        visit(pending.pop(), Spreads())
        for name in names:
            if name not in seen:
                seen.add(name)
                if name in fragments:
                    pending.append(fragments[name])
    return seen


def _from_json(path: Path) -> list[Document]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DocumentRefused(f"{path}: not JSON ({exc})") from exc
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        entries = [(op.get("id"), op.get("body"), op.get("name")) for op in data.get("operations", [])]
    elif isinstance(data, dict):
        entries = [(key, value, None) for key, value in data.items()]
    else:
        raise DocumentRefused(f"{path}: expected Relay's persisted output (an object of id → text) "
                              "or an Apollo persisted query manifest")
    documents = []
    for document_id, body, name in entries:
        if not isinstance(document_id, str) or not isinstance(body, str):
            raise DocumentRefused(f"{path}: each entry needs a string id and a string text")
        try:
            ast = parse(body)
        except GraphQLError as exc:
            raise DocumentRefused(f"{path}: document {document_id}: {exc.message} {_where(exc)}") from exc
        names = name and (name,) or tuple(d.name.value for d in ast.definitions
                                          if isinstance(d, OperationDefinitionNode) and d.name)
        documents.append(Document(document_id.lower(), body, names, f"{path}#{document_id}"))
    return documents


def _unique(documents: list[Document]) -> list[Document]:
    by_id: dict[str, Document] = {}
    for document in documents:
        by_id.setdefault(document.document_id, document)
    return list(by_id.values())


def _where(exc: GraphQLError) -> str:
    if exc.locations:
        location = exc.locations[0]
        return f"(line {location.line}, column {location.column})"
    return ""
