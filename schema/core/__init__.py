"""Shared GraphQL machinery: context, Node, connections, errors, permissions, loaders."""
