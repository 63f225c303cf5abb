"""`cosell rates import|list|fetch`: the dated exchange rates (issue 40)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from server.cli import common

MAX_ERRORS_SHOWN = 50


def _summary(summary) -> str:
    days = f"{summary.first_day} to {summary.last_day}" if summary.first_day else "none"
    return (f"rows: {summary.added} added, {summary.replaced} replaced, {summary.unchanged} unchanged; "
            f"pairs: {len(summary.pairs)} ({', '.join(sorted(f'{b}/{q}' for b, q in summary.pairs))}); days: {days}")


def cmd_rates_import(args) -> int:
    from partners.infra.db import transaction
    from partners.money.rate_files import parse_rates_csv
    from partners.money.rate_store import store_rates
    from server.rates import record_audit

    path = Path(args.file)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            parsed = parse_rates_csv(handle, base=args.base.upper())
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cosell: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    if parsed.errors:
        print(f"cosell: {path}: nothing imported, {len(parsed.errors)} problem(s):", file=sys.stderr)
        for error in parsed.errors[:MAX_ERRORS_SHOWN]:
            print(f"  {error}", file=sys.stderr)
        if len(parsed.errors) > MAX_ERRORS_SHOWN:
            print(f"  … and {len(parsed.errors) - MAX_ERRORS_SHOWN} more", file=sys.stderr)
        return 1
    source = args.source or path.name
    common.bind(common.load_settings())

    async def run():
        async with transaction():
            summary = await store_rates(((r.day, r.base, r.quote, r.rate) for r in parsed.rows), source)
            await record_audit("rates import", {"file": path.name, "source": source, "layout": parsed.layout,
                                                **summary.as_dict()}, "cli")
        return summary

    summary = common.run(run())
    print(f"imported {path.name} ({parsed.layout} layout, source {source!r}): {_summary(summary)}")
    if parsed.skipped_columns:
        print(f"skipped the columns of withdrawn currencies: {', '.join(parsed.skipped_columns)}")
    return 0


def cmd_rates_list(args) -> int:
    from partners.money.currencies import is_currency
    from partners.money.rate_store import latest_rates

    base = quote = None
    if args.pair:
        base, _, quote = args.pair.upper().partition("/")
        if not (is_currency(base) and is_currency(quote)):
            print(f"cosell: --pair {args.pair!r}: expected two ISO 4217 codes such as EUR/USD", file=sys.stderr)
            return 2
    common.bind(common.load_settings())
    rows = common.run(latest_rates(base=base, quote=quote, limit=args.limit))
    if not rows:
        print("no exchange rates stored (cosell rates import FILE, or a plugin and cosell rates fetch)")
        return 0
    print(f"{'date':<10}  {'pair':<7}  {'rate':>16}  source")
    for row in rows:
        print(f"{row['day'].isoformat():<10}  {row['base']}/{row['quote']}  {format(row['rate'], 'f'):>16}  "
              f"{row['source']}")
    return 0


def cmd_rates_fetch(args) -> int:
    from plugins.manager import plugin_manager_for
    from server.rates import RateAnswerError, fetch_rates, implements_hook

    settings = common.load_settings()
    day = None
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            print(f"cosell: --date {args.date!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
            return 2
    plugins = plugin_manager_for(settings)
    if not implements_hook(plugins):
        print("cosell: no loaded plugin implements cosell_exchange_rate; import rates with "
              "`cosell rates import FILE` instead", file=sys.stderr)
        return 1
    common.bind(settings)
    try:
        report = common.run(common.with_plugins_started(plugins, "rates fetch", fetch_rates(plugins, day)))
    except RateAnswerError as exc:
        print(f"cosell: nothing stored: {exc}", file=sys.stderr)
        return 1
    print(f"fetched rates for {report.day}: {_summary(report.stored)}")
    for pair, plugin in sorted(report.sources.items()):
        print(f"  {pair} from {plugin}")
    if report.unanswered:
        print(f"no plugin answered: {', '.join(report.unanswered)}")
    return 0


def add_parsers(sub) -> None:
    rates = sub.add_parser("rates", help="dated exchange rates (import a CSV file, list, fetch through plugins)")
    commands = rates.add_subparsers(dest="rates_command", required=True)
    imp = commands.add_parser("import", help="import rates from a CSV file: `date,base,quote,rate` lines or the "
                              "ECB's reference rates (`Date,USD,JPY,…`)")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--source", help="recorded with each rate (default: the file's name)")
    imp.add_argument("--base", default="EUR", help="the currency the ECB layout's rates are against (default EUR)")
    imp.set_defaults(func=cmd_rates_import)
    listing = commands.add_parser("list", help="the most recent stored rates, newest first")
    listing.add_argument("--pair", help="only this pair, e.g. EUR/USD")
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(func=cmd_rates_list)
    fetch = commands.add_parser("fetch", help="ask the cosell_exchange_rate plugins for a day's rates and store them")
    fetch.add_argument("--date", help="the day (YYYY-MM-DD; default today, UTC)")
    fetch.set_defaults(func=cmd_rates_fetch)
