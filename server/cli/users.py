"""`cosell users add|link-sso`, `cosell tokens issue|revoke`: accounts and their API tokens."""

from __future__ import annotations

import sys

from server.cli import common


def _print_token(email: str, token: str) -> None:
    print(f"Token for {email} (shown once, store it now):\n{token}")


def cmd_users_add(args) -> int:
    from partners.infra.errors import DomainError
    from partners.people.enums import Region, Role
    from partners.people.identity import create_user, issue_token
    from partners.people.tables import Partner

    common.bind(common.load_settings())

    async def run() -> int:
        partner_id = None
        if args.partner:
            column = Partner.id if args.partner.isdigit() else Partner.nickname
            value = int(args.partner) if args.partner.isdigit() else args.partner
            row = await Partner.select(Partner.id).where(column == value).first()
            if row is None:
                print(f"cosell: no partner {args.partner!r}", file=sys.stderr)
                return 2
            partner_id = row["id"]
        try:
            user = await create_user(
                email=args.email, name=args.name, role=Role(args.role), partner_id=partner_id,
                regions=[Region(r) for r in args.region or []],
            )
        except DomainError as exc:
            print(f"cosell: {exc}", file=sys.stderr)
            return 2
        _, token = await issue_token(user.id, name=args.token_name)
        _print_token(user.email, token)
        return 0

    return common.run(run())


def cmd_users_link_sso(args) -> int:
    from partners.infra.errors import DomainError
    from partners.people.identity import link_subject

    common.bind(common.load_settings())

    async def run() -> int:
        try:
            user = await link_subject(args.email, args.issuer, args.subject)
        except DomainError as exc:
            print(f"cosell: {exc}", file=sys.stderr)
            return 2
        print(f"{user.email} signs in with tokens of {args.issuer.strip()} whose subject is {args.subject.strip()}.")
        return 0

    return common.run(run())


def cmd_tokens_issue(args) -> int:
    from partners.infra.errors import DomainError
    from partners.people.identity import issue_token, user_by_email

    common.bind(common.load_settings())

    async def run() -> int:
        try:
            user = await user_by_email(args.email)
        except DomainError as exc:
            print(f"cosell: {exc}", file=sys.stderr)
            return 2
        token_row, token = await issue_token(user.id, name=args.name)
        _print_token(user.email, token)
        print(f"(revoke with: cosell tokens revoke {token_row.prefix})")
        return 0

    return common.run(run())


def cmd_tokens_revoke(args) -> int:
    from partners.people.identity import revoke_token

    common.bind(common.load_settings())
    count = common.run(revoke_token(args.token))
    if not count:
        print("cosell: no live token matches", file=sys.stderr)
        return 1
    print(f"Revoked {count} token(s).")
    return 0
