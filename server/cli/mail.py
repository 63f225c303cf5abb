"""`cosell mail serve|ingest`: email to case (D15, docs/operations.md "Email to case")."""

from __future__ import annotations

import asyncio
import secrets
import sys

from server.cli import common
from server.settings import Settings, SettingsError

# sysexits.h: what procmail, fetchmail and MTAs understand from a delivery command.
EX_NOPERM = 77  # refused for good: do not retry
EX_TEMPFAIL = 75  # try again later
EX_DATAERR = 65


def cmd_mail_serve(args) -> int:
    import signal

    from partners.infra.engines import close_database, engine_for, open_database
    from server.logs import configure_logging
    from server.mail_receiver import MailReceiver

    overrides = {k: v for k, v in (("mail_in_host", args.host), ("mail_in_port", args.port)) if v is not None}
    settings = Settings.from_env(**overrides)
    if not settings.mail_in_addresses:
        raise SettingsError("COSELL_MAIL_IN_ADDRESSES", "COSELL_MAIL_IN_ADDRESSES must name the address(es) the "
                            "receiver accepts mail for (e.g. smallbusiness@example.com)")
    configure_logging(settings.log_level, settings.log_json)
    common.bind(settings)
    engine = engine_for(settings.database_url)

    async def run() -> int:
        await open_database(engine, pool_min=1, pool_max=4)
        receiver = MailReceiver(settings)
        try:
            port = await receiver.start()
            print(f"cosell mail: accepting mail for {', '.join(settings.mail_in_addresses)} on "
                  f"{settings.mail_in_host}:{port}", flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await stop.wait()
            return 0
        finally:
            await receiver.stop()
            await close_database(engine)

    return common.run(run())


def cmd_mail_ingest(args) -> int:
    """One raw message from FILE or stdin through the receiver's path; exit 0 when stored
    (or already stored), 77 when refused for good, 75 on a temporary failure."""
    from partners.cases.email.ingest import Refused, ingest
    from partners.infra.engines import close_database, engine_for, open_database
    from server.logs import configure_logging, request_id_var
    from server.mail_receiver import inbound_from_settings

    settings = common.load_settings()
    configure_logging(settings.log_level, settings.log_json)
    limit = settings.mail_in_max_bytes
    if args.file == "-":
        raw = sys.stdin.buffer.read(limit + 1)
    else:
        with open(args.file, "rb") as handle:
            raw = handle.read(limit + 1)
    if len(raw) > limit:
        print(f"cosell mail: the message is larger than COSELL_MAIL_IN_MAX_BYTES ({limit})", file=sys.stderr)
        return EX_DATAERR
    common.bind(settings)
    engine = engine_for(settings.database_url)
    request_id = secrets.token_hex(8)

    async def run() -> int:
        await open_database(engine, pool_min=1, pool_max=1)
        token = request_id_var.set(request_id)
        try:
            outcome = await ingest(raw, inbound_from_settings(settings), envelope_sender=args.sender or "",
                                   request_id=request_id)
        except Refused as exc:
            print(f"cosell mail: refused ({exc.code}): {exc}", file=sys.stderr)
            return EX_NOPERM
        except Exception as exc:  # noqa: BLE001 — the delivery agent keeps the message and retries
            import logging

            logging.getLogger("cosell.mail").exception("email to case failed")
            print(f"cosell mail: temporary failure ({type(exc).__name__}), request id {request_id}", file=sys.stderr)
            return EX_TEMPFAIL
        finally:
            request_id_var.reset(token)
            await close_database(engine)
        case = f" case #{outcome.case_id}" if outcome.case_id is not None else ""
        print(f"{outcome.result.value}{case} {outcome.message_id}")
        return 0

    return common.run(run())
