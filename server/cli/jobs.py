"""`cosell outbox send|status|retry`, `cosell registrations expire`: the work background jobs do,
run (or inspected) from the command line."""

from __future__ import annotations

import asyncio
import sys

from server.cli import common
from server.settings import Settings


def cmd_outbox_send(args) -> int:
    import signal

    from partners.infra import tracing
    from partners.infra.engines import close_database, engine_for, open_database
    from partners.infra.leasing import new_worker_id
    from plugins.manager import plugin_manager_for
    from server.background import BackgroundRunner, outbox_job, run_measured
    from server.logs import configure_logging

    overrides = {"outbox_batch": args.batch} if args.batch else {}
    settings = Settings.from_env(**overrides)
    configure_logging(settings.log_level, settings.log_json)
    common.bind(settings)
    tracing.configure_from_env()  # deliveries continue their requests' traces (docs/operations.md)
    engine = engine_for(settings.database_url)
    plugins = plugin_manager_for(settings)
    job = outbox_job(settings, plugins, new_worker_id())

    async def run() -> int:
        await open_database(engine, pool_min=1, pool_max=2)
        try:
            return await common.with_plugins_started(plugins, "outbox send", deliver())
        finally:
            await close_database(engine)
            tracing.flush()

    async def deliver() -> int:
        if args.once:
            report = await run_measured(job, lambda: False)
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

    return common.run(run())


def cmd_outbox_status(args) -> int:
    from partners.infra.outbox import status_counts

    common.bind(common.load_settings())
    counts = common.run(status_counts())
    for status, count in counts.items():
        print(f"{status:<8} {count}")
    return 0


def cmd_outbox_retry(args) -> int:
    from partners.infra.outbox import retry_dead

    if not args.dead and not args.ids:
        print("cosell: name message ids, or --dead for every DEAD message", file=sys.stderr)
        return 2
    common.bind(common.load_settings())
    count = common.run(retry_dead(None if args.dead else args.ids))
    print(f"{count} message(s) will be sent again.")
    return 0


def cmd_registrations_expire(args) -> int:
    from partners.opportunities.reseller import RuleSet
    from partners.registrations.expire import expire_due
    from plugins.manager import plugin_manager_for

    settings = common.load_settings()
    common.bind(settings)
    plugins = plugin_manager_for(settings)
    count = common.run(common.with_plugins_started(
        plugins, "registrations expire", expire_due(RuleSet(plugins, frozenset(settings.disabled_rules)))))
    print(f"{count} deal registration(s) expired (P6).")
    return 0
