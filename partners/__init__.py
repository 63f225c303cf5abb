"""The co-selling domain: Piccolo tables, pure rules and transactions.

Nothing here knows about GraphQL or HTTP.
"""
