"""Documents are checked against the schema and the request limits when registered, so
an operator learns of a broken document from `cosell documents add`, not from a client."""

from __future__ import annotations

from graphql import GraphQLError, parse, specified_rules, validate

from partners.documents.store import Document, DocumentRefused


def check_documents(schema, settings, documents: list[Document]) -> None:
    """Raise DocumentRefused naming every document that would be refused at request time
    (syntax, token limit, unknown fields, depth, aliases, introspection when off)."""
    from schema import validation_limit_rules

    rules = [*specified_rules, *validation_limit_rules(settings)]
    problems = []
    for document in documents:
        try:
            ast = parse(document.body, max_tokens=settings.max_tokens)
        except GraphQLError as exc:
            problems.append(f"{document.source}: {exc.message}")
            continue
        problems += [f"{document.source}: {error.message}" for error in validate(schema._schema, ast, rules)]
    if problems:
        raise DocumentRefused("refused, nothing registered:\n  " + "\n  ".join(problems))
