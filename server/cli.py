"""The `cosell` command: migrate, serve, users, tokens, demo data, schema export, documents, plugins."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from server.settings import Settings


def _settings() -> Settings:
    return Settings.from_env()


def _bind(settings: Settings) -> None:
    from partners.infra.db import bind_engine, configure_engine, engine_for

    engine = engine_for(settings.database_url)
    configure_engine(engine, statement_cache_size=settings.db_statement_cache_size,
                     sqlite_busy_timeout=settings.sqlite_busy_timeout, sqlite_busy_retries=settings.sqlite_busy_retries)
    bind_engine(engine)


def _run(coro):
    return asyncio.run(coro)


def cmd_migrate(args) -> int:
    from partners.infra.db import describe, engine_for
    from partners.infra.migrate import apply_migrations, known_migration_ids

    settings = _settings()
    _bind(settings)
    where = describe(engine_for(settings.database_url))
    applied = _run(apply_migrations())
    total = len(known_migration_ids())
    if applied:
        before = total - len(applied)
        print(f"Applied {len(applied)} migration(s) to {where} ({before} were already applied; "
              f"now {total} of {total}, latest {applied[-1]}).")
    else:
        print(f"{where} is up to date: all {total} migrations are applied.")
    return 0


def missing_database_message(exc: BaseException, database_url: str) -> str | None:
    """A friendly explanation when the PostgreSQL database named by DATABASE_URL does not
    exist (asyncpg's InvalidCatalogNameError, possibly wrapped), else None."""
    from urllib.parse import urlsplit

    from partners.infra.db import redact_url

    seen: BaseException | None = exc
    while seen is not None and type(seen).__name__ != "InvalidCatalogNameError":
        seen = seen.__cause__ or seen.__context__
    if seen is None:
        return None
    url = urlsplit(database_url)
    name = url.path.lstrip("/") or "(none)"
    host, port, user = url.hostname or "localhost", url.port or 5432, url.username or "postgres"
    return (f"cosell: the database {name!r} does not exist on {redact_url(database_url)}.\n"
            f"Create it, then run the command again:\n"
            f"    createdb -h {host} -p {port} -U {user} {name}\n"
            f"or point DATABASE_URL at an existing database.")


def _preflight(settings: Settings) -> str | None:
    """The reason the server cannot start, or None."""
    from partners.infra.db import DatabaseUnavailable, close_database, describe, engine_for, open_database
    from partners.infra.migrate import pending_migrations
    from plugins.manager import PluginError, plugin_manager_for

    try:  # an invalid plugin (unknown hook, import error, invalid settings) names itself
        plugin_manager_for(settings)
    except PluginError as exc:
        return str(exc)
    engine = engine_for(settings.database_url)

    async def check() -> str | None:
        try:
            await open_database(engine, pool_min=1, pool_max=1)
        except DatabaseUnavailable as exc:
            missing = missing_database_message(exc, settings.database_url)
            return missing.removeprefix("cosell: ") if missing else str(exc)
        try:
            pending = await pending_migrations()
        finally:
            await close_database(engine)
        if pending:
            return f"{len(pending)} migration(s) not applied to {describe(engine)}: run `cosell migrate`."
        return None

    return _run(check())


def demo_tokens_file(settings: Settings) -> Path:
    return Path(settings.var_dir) / "demo-tokens.txt"


def _show_demo_tokens_when_up(host: str, port: int, tokens_file: Path, timeout: float = 120.0) -> None:
    """`make run`: print the demo tokens after the server's start-up lines, once /healthz
    answers, so they do not scroll away under them."""
    import threading
    import time
    import urllib.request

    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/healthz"

    def wait_then_print() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own server
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            return
        time.sleep(0.2)  # after uvicorn's "running on" line
        if tokens_file.is_file():
            text = tokens_file.read_text(encoding="utf-8").rstrip()
            print(f"\n{text}\n(kept in {tokens_file})\nGraphiQL: http://{host}:{port}/graphql\n",
                  file=sys.stderr, flush=True)
        else:
            print(f"\n(no demo tokens: {tokens_file} does not exist; `cosell users add` creates users)\n",
                  file=sys.stderr, flush=True)

    threading.Thread(target=wait_then_print, name="demo-tokens", daemon=True).start()


def cmd_serve(args) -> int:
    from server import workers
    from server.http_protocol import NoDelayH11Protocol

    settings = _settings()
    _bind(settings)
    problem = _preflight(settings)
    if problem:
        print(f"cosell: cannot start: {problem}", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("cosell: --workers must be 1 or more", file=sys.stderr)
        return 2
    print(f"cosell: serving GraphQL on http://{args.host}:{args.port}/graphql with {args.workers} worker(s)",
          file=sys.stderr)
    if args.show_demo_tokens:
        _show_demo_tokens_when_up(args.host, args.port, demo_tokens_file(settings))
    # Each worker is a process with its own pool (COSELL_DB_POOL_MAX) and its own background
    # jobs; see docs/operations.md for sizing. On SIGTERM uvicorn stops accepting, lets
    # in-flight requests finish for up to COSELL_SHUTDOWN_TIMEOUT seconds, then runs the
    # lifespan shutdown (background jobs stop and release their leases, the pool closes).
    # Each worker listens on a socket of its own, so new connections spread (server/workers.py).
    workers.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        timeout_graceful_shutdown=settings.shutdown_timeout,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        http=NoDelayH11Protocol,  # no Nagle delay with several workers (server/http_protocol.py)
        access_log=False,  # cosell writes its own structured access log
        log_level=settings.log_level.lower(),
    )
    return 0


def _print_token(email: str, token: str) -> None:
    print(f"Token for {email} (shown once, store it now):\n{token}")


def cmd_users_add(args) -> int:
    from partners.people.enums import Region, Role
    from partners.infra.errors import DomainError
    from partners.people.identity import create_user, issue_token
    from partners.people.tables import Partner

    _bind(_settings())

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

    return _run(run())


def cmd_users_link_sso(args) -> int:
    from partners.infra.errors import DomainError
    from partners.people.identity import link_subject

    _bind(_settings())

    async def run() -> int:
        try:
            user = await link_subject(args.email, args.issuer, args.subject)
        except DomainError as exc:
            print(f"cosell: {exc}", file=sys.stderr)
            return 2
        print(f"{user.email} signs in with tokens of {args.issuer.strip()} whose subject is {args.subject.strip()}.")
        return 0

    return _run(run())


def cmd_tokens_issue(args) -> int:
    from partners.infra.errors import DomainError
    from partners.people.identity import issue_token, user_by_email

    _bind(_settings())

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

    return _run(run())


def cmd_tokens_revoke(args) -> int:
    from partners.people.identity import revoke_token

    _bind(_settings())
    count = _run(revoke_token(args.token))
    if not count:
        print("cosell: no live token matches", file=sys.stderr)
        return 1
    print(f"Revoked {count} token(s).")
    return 0


def cmd_demo_load(args) -> int:
    from partners.demo import is_empty, load_demo

    settings = _settings()
    _bind(settings)

    async def run() -> int:
        if not await is_empty():
            if args.if_empty:
                print("Database already has data; demo not loaded.")
                return 0
            print("cosell: the database is not empty; demo data goes into an empty database.", file=sys.stderr)
            return 2
        logins = await load_demo()
        lines = [f"{l.role.value:<18} {l.email:<44} {l.token}  {l.detail}" for l in logins]
        text = "Demo users and their API tokens (Authorization: Bearer <token>):\n" + "\n".join(lines) + "\n"
        tokens_file = demo_tokens_file(settings)
        tokens_file.parent.mkdir(parents=True, exist_ok=True)
        tokens_file.write_text(text, encoding="utf-8")
        os.chmod(tokens_file, 0o600)
        if args.quiet:
            print(f"Demo world loaded; its users' tokens are in {tokens_file}.")
        else:
            print(text)
            print(f"(also written to {tokens_file})")
        return 0

    return _run(run())


def cmd_schema_export(args) -> int:
    from schema import export_sdl

    sdl = export_sdl()
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


def _plugin_manager_or_exit(settings: Settings):
    from plugins.manager import PluginError, plugin_manager_for

    try:
        return plugin_manager_for(settings)
    except PluginError as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return None


def cmd_plugins(args) -> int:
    pm = _plugin_manager_or_exit(_settings())
    if pm is None:
        return 2
    for info in pm.plugin_infos():
        kind = "built-in" if info.builtin else "installed"
        print(f"{info.name} {info.version} ({kind})")
        if args.hooks:
            for hook in info.hooks:
                print(f"    {hook}")
    return 0


def cmd_plugins_show(args) -> int:
    """One plugin: version, kind, where it comes from, its hooks (with their ordering
    marks) and its settings with the environment variables that set them."""
    from plugins.settings import env_var

    pm = _plugin_manager_or_exit(_settings())
    if pm is None:
        return 2
    info = next((i for i in pm.plugin_infos() if i.name == args.name), None)
    if info is None:
        names = ", ".join(i.name for i in pm.plugin_infos())
        print(f"cosell: no loaded plugin {args.name!r} (loaded: {names})", file=sys.stderr)
        return 1
    plugin = pm.get_plugin(info.name)
    print(f"{info.name} {info.version} ({'built-in' if info.builtin else 'installed'})")
    print(f"  from: {getattr(plugin, '__name__', None) or type(plugin).__module__ + '.' + type(plugin).__qualname__}")
    print("  hooks:")
    for hook in info.hooks:
        caller = getattr(pm.hook, hook)
        impl = next(i for i in caller.get_hookimpls() if i.plugin is plugin)
        marks = [m for m in ("tryfirst", "trylast", "wrapper", "hookwrapper") if getattr(impl, m)]
        if caller.spec and caller.spec.opts.get("firstresult"):
            marks.insert(0, "firstresult hook")
        print(f"    {hook}({', '.join(impl.argnames)})" + (f"  [{', '.join(marks)}]" if marks else ""))
    declared = pm.plugin_settings(info.name)
    if declared is not None:
        print("  settings:")
        values = declared.values()
        for setting in declared.settings:
            print(f"    {env_var(info.name, setting.key)} = {values.get(setting.key)!r}"
                  f"  ({setting.describe_type()}{', required' if setting.required else ''}) {setting.help}".rstrip())
    return 0


def cmd_outbox_send(args) -> int:
    import signal

    from partners.infra.db import close_database, engine_for, open_database
    from partners.infra.leasing import new_worker_id
    from plugins.manager import plugin_manager_for
    from server.background import BackgroundRunner, outbox_job
    from server.logs import configure_logging

    overrides = {"outbox_batch": args.batch} if args.batch else {}
    settings = Settings.from_env(**overrides)
    configure_logging(settings.log_level, settings.log_json)
    _bind(settings)
    engine = engine_for(settings.database_url)
    plugins = plugin_manager_for(settings)
    job = outbox_job(settings, plugins, new_worker_id())

    async def run() -> int:
        await open_database(engine, pool_min=1, pool_max=2)
        try:
            if args.once:
                report = await job.run(lambda: False)
                print(f"outbox: sent {report.sent}, retried {report.retried}, dead {report.dead}")
                return 0
            runner = BackgroundRunner([job])
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            runner.start()
            await stop.wait()
            await runner.stop()
            return 0
        finally:
            await close_database(engine)

    return _run(run())


def cmd_outbox_status(args) -> int:
    from partners.infra.outbox import status_counts

    _bind(_settings())
    counts = _run(status_counts())
    for status, count in counts.items():
        print(f"{status:<8} {count}")
    return 0


def cmd_outbox_retry(args) -> int:
    from partners.infra.outbox import retry_dead

    if not args.dead and not args.ids:
        print("cosell: name message ids, or --dead for every DEAD message", file=sys.stderr)
        return 2
    _bind(_settings())
    count = _run(retry_dead(None if args.dead else args.ids))
    print(f"{count} message(s) will be sent again.")
    return 0


def cmd_registrations_expire(args) -> int:
    from partners.registrations.expire import expire_due
    from partners.opportunities.reseller import RuleSet
    from plugins.manager import plugin_manager_for

    settings = _settings()
    _bind(settings)
    count = _run(expire_due(RuleSet(plugin_manager_for(settings), frozenset(settings.disabled_rules))))
    print(f"{count} deal registration(s) expired (P6).")
    return 0


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
    from schema import build_schema
    from schema.documents.check import check_documents
    from schema.documents.files import documents_from_files

    settings = _settings()
    try:
        documents = documents_from_files(_document_paths(args.files))
        check_documents(build_schema(settings), settings, documents)
    except (store.DocumentRefused, OSError) as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return 2
    if not documents:
        print("cosell: no operation found in these files", file=sys.stderr)
        return 2
    _bind(settings)
    try:
        report = _run(store.add(documents))
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

    _bind(_settings())
    documents = _run(store.list_all())
    for document in documents:
        print(f"{document.document_id}  {', '.join(document.operation_names) or '(anonymous)'}  {document.source}")
    print(f"{len(documents)} registered document(s).")
    return 0


def cmd_documents_remove(args) -> int:
    from partners.documents import store

    _bind(_settings())
    count = _run(store.remove(args.ids))
    if not count:
        print("cosell: no registered document has these ids", file=sys.stderr)
        return 1
    print(f"Removed {count} document(s); every instance stops accepting them within 30 s.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from partners.people.enums import Region, Role

    parser = argparse.ArgumentParser(prog="cosell", description="Partner and channel co-selling GraphQL backend.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--show-demo-tokens", action="store_true",
                       help="once the server answers, print the demo users' tokens (var/demo-tokens.txt) last")
    serve.add_argument("--host", default=os.environ.get("COSELL_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("COSELL_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("COSELL_WORKERS", "1")),
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

    plugins = sub.add_parser("plugins", help="list loaded plugins (COSELL_PLUGINS, COSELL_DISABLE_PLUGINS apply)")
    plugins.add_argument("--hooks", action="store_true", help="show the hooks each plugin implements")
    plugins.set_defaults(func=cmd_plugins)
    plugins_sub = plugins.add_subparsers(dest="plugins_command")
    show = plugins_sub.add_parser("show", help="one plugin: its hooks and its settings")
    show.add_argument("name", help="the plugin's name, as `cosell plugins` lists it")
    show.set_defaults(func=cmd_plugins_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    import warnings

    # Piccolo warns (in red) when it cannot read the server version; the commands say
    # themselves what is wrong with the database.
    warnings.filterwarnings("ignore", message=".*Unable to fetch server version")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:
        message = missing_database_message(exc, _settings().database_url)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
