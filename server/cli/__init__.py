"""The `cosell` command: migrate, serve, users, tokens, demo data, schema export, documents, plugins,
exchange rates, rules, mail, import and export.

The argument parser and `main` (the console script `cosell = "server.cli:main"`); each command
group's functions live in a module of its own beside this one."""

from __future__ import annotations

import argparse
import os
import sys

from server.cli import common
from server.cli.data import cmd_demo_load, cmd_migrate, cmd_schema_export
from server.cli.documents import cmd_documents_add, cmd_documents_list, cmd_documents_remove
from server.cli.jobs import cmd_outbox_retry, cmd_outbox_send, cmd_outbox_status, cmd_registrations_expire
from server.cli.mail import cmd_mail_ingest, cmd_mail_serve
from server.cli.plugins import cmd_plugins, cmd_plugins_show
from server.cli.rates import add_parsers as add_rates_parsers
from server.cli.rules import cmd_rules_export, cmd_rules_show
from server.cli.serve import cmd_serve
from server.cli.transfer import add_parsers as add_transfer_parsers
from server.cli.users import cmd_tokens_issue, cmd_tokens_revoke, cmd_users_add, cmd_users_link_sso
from server.settings import SettingsError, env_int


def build_parser() -> argparse.ArgumentParser:
    from partners.people.enums import Region, Role

    parser = argparse.ArgumentParser(prog="cosell", description="Partner and channel co-selling GraphQL backend.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--show-demo-tokens", action="store_true",
                       help="once the server answers, print the demo users' tokens (var/demo-tokens.txt) last")
    serve.add_argument("--host", default=os.environ.get("COSELL_HOST") or "127.0.0.1")
    serve.add_argument("--port", type=int, default=env_int("COSELL_PORT", 8000, minimum=0))
    serve.add_argument("--workers", type=int, default=env_int("COSELL_WORKERS", 1, minimum=1),
                       help="worker processes (COSELL_WORKERS, default 1); each opens its own pool")
    serve.add_argument("--no-proxy-headers", dest="proxy_headers", action="store_false",
                       help="ignore X-Forwarded-For/Proto even from FORWARDED_ALLOW_IPS")
    serve.set_defaults(func=cmd_serve)

    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="create a user and print their first token")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--partner", help="partner id or nickname (PARTNER_USER, PARTNER_ADMIN)")
    add.add_argument("--region", action="append", choices=[r.value for r in Region], help="repeatable")
    add.add_argument("--token-name", default="cli")
    add.set_defaults(func=cmd_users_add)
    link = users.add_parser("link-sso", help="link a user to an identity provider's subject (single sign-on)")
    link.add_argument("--email", required=True)
    link.add_argument("--issuer", required=True, help="the provider's `iss`, exactly as in COSELL_JWT_ISSUERS")
    link.add_argument("--subject", required=True, help="the user's `sub` claim at that provider")
    link.set_defaults(func=cmd_users_link_sso)

    tokens = sub.add_parser("tokens", help="issue or revoke API tokens").add_subparsers(
        dest="tokens_command", required=True
    )
    issue = tokens.add_parser("issue", help="issue a new token for a user")
    issue.add_argument("--email", required=True)
    issue.add_argument("--name", default="cli")
    issue.set_defaults(func=cmd_tokens_issue)
    revoke = tokens.add_parser("revoke", help="revoke a token (the token or its printed prefix)")
    revoke.add_argument("token")
    revoke.set_defaults(func=cmd_tokens_revoke)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    load = demo.add_parser("load", help="load the demo world into an empty database")
    load.add_argument("--if-empty", action="store_true", help="do nothing (successfully) if data exists")
    load.add_argument("--quiet", action="store_true", help="write the tokens to var/demo-tokens.txt only")
    load.set_defaults(func=cmd_demo_load)

    schema = sub.add_parser("schema", help="GraphQL schema").add_subparsers(dest="schema_command", required=True)
    export = schema.add_parser("export", help="print the schema SDL")
    export.add_argument("--output", "-o")
    export.set_defaults(func=cmd_schema_export)

    outbox = sub.add_parser("outbox", help="the outbox of side effects (emails, events)").add_subparsers(
        dest="outbox_command", required=True
    )
    send = outbox.add_parser("send", help="deliver due outbox messages (until stopped, or once)")
    send.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    send.add_argument("--batch", type=int, help="messages claimed at a time (COSELL_OUTBOX_BATCH)")
    send.set_defaults(func=cmd_outbox_send)
    outbox.add_parser("status", help="count messages by status").set_defaults(func=cmd_outbox_status)
    retry = outbox.add_parser("retry", help="send DEAD messages again")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID")
    retry.add_argument("--dead", action="store_true", help="every DEAD message")
    retry.set_defaults(func=cmd_outbox_retry)

    mail = sub.add_parser("mail", help="email to case (D15)").add_subparsers(dest="mail_command", required=True)
    mail_serve = mail.add_parser("serve", help="run the SMTP receiver for COSELL_MAIL_IN_ADDRESSES")
    mail_serve.add_argument("--host", help="COSELL_MAIL_IN_HOST (default 127.0.0.1)")
    mail_serve.add_argument("--port", type=int, help="COSELL_MAIL_IN_PORT (default 2525)")
    mail_serve.set_defaults(func=cmd_mail_serve)
    mail_ingest = mail.add_parser("ingest", help="store one raw RFC 5322 message (a file, or - for stdin) as the "
                                  "receiver would (procmail, fetchmail, .forward, an inbound hook)")
    mail_ingest.add_argument("file", metavar="FILE|-")
    mail_ingest.add_argument("--sender", help="the envelope sender, used when the message has no usable From")
    mail_ingest.set_defaults(func=cmd_mail_ingest)

    registrations = sub.add_parser("registrations", help="deal registrations").add_subparsers(
        dest="registrations_command", required=True
    )
    registrations.add_parser("expire", help="expire approved registrations past their expiry (P6)").set_defaults(
        func=cmd_registrations_expire
    )

    documents = sub.add_parser("documents", help="trusted documents (persisted queries) clients send by id").add_subparsers(
        dest="documents_command", required=True
    )
    add_documents = documents.add_parser(
        "add", help="register documents: .graphql/.gql files, folders of them, Relay or Apollo persisted JSON")
    add_documents.add_argument("files", nargs="+", metavar="FILE")
    add_documents.set_defaults(func=cmd_documents_add)
    documents.add_parser("list", help="list registered documents").set_defaults(func=cmd_documents_list)
    remove_documents = documents.add_parser("remove", help="unregister documents by id")
    remove_documents.add_argument("ids", nargs="+", metavar="ID")
    remove_documents.set_defaults(func=cmd_documents_remove)

    add_rates_parsers(sub)
    add_transfer_parsers(sub)

    plugins = sub.add_parser("plugins", help="list loaded plugins (COSELL_PLUGINS, COSELL_DISABLE_PLUGINS apply)")
    plugins.add_argument("--hooks", action="store_true", help="show the hooks each plugin implements")
    plugins.set_defaults(func=cmd_plugins)
    plugins_sub = plugins.add_subparsers(dest="plugins_command")
    show = plugins_sub.add_parser("show", help="one plugin: its hooks and its settings")
    show.add_argument("name", help="the plugin's name, as `cosell plugins` lists it")
    show.set_defaults(func=cmd_plugins_show)

    rules = sub.add_parser("rules", help="the rules catalogue (docs/rules.md)").add_subparsers(
        dest="rules_command", required=True)
    rules.add_parser("export", help="print docs/rules.md: every rule with the modules and tests citing it "
                     "(cosell rules export > docs/rules.md)").set_defaults(func=cmd_rules_export)
    show_rule = rules.add_parser("show", help="one rule by id, e.g. P8")
    show_rule.add_argument("id")
    show_rule.set_defaults(func=cmd_rules_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    import warnings

    # Piccolo warns (in red) when it cannot read the server version; the commands say
    # themselves what is wrong with the database.
    warnings.filterwarnings("ignore", message=".*Unable to fetch server version")
    try:
        args = build_parser().parse_args(argv)
        # Every command checks the whole configuration first: a bad value is one line
        # naming the variable and what is allowed, exit status 2, never a traceback.
        settings = common.load_settings()
        common.check_configuration(settings)
    except SettingsError as exc:
        print(f"cosell: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"cosell: configuration error: {exc}", file=sys.stderr)
        return 2
    except common.DatabaseNotReady as exc:  # every command checks the database like `serve` (issue 41)
        print(f"cosell: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from plugins.manager import PluginError, PluginFailure

        if isinstance(exc, PluginError):  # COSELL_PLUGINS, COSELL_DISABLE_PLUGINS, a plugin's own settings
            print(f"cosell: plugin configuration error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2
        if isinstance(exc, PluginFailure) and exc.hook == "cosell_startup":  # issue 41: names the plugin
            print(f"cosell: cannot start: {exc}", file=sys.stderr)
            return 1
        message = common.missing_database_message(exc, settings.database_url)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2
