"""`cosell import` and `cosell export` (issue 35): a channel's data in and out, in the native
CSV format of docs/import-export.md (export also as Parquet)."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from server.cli import common

ENTITY_NAMES = ("partners", "users", "accounts", "contacts", "opportunities", "registrations", "cosell_plans",
                "cosell_tasks", "leads", "cases")


def add_parsers(sub) -> None:
    imp = sub.add_parser("import", help="import CSV files (the native format, or --from salesforce DIR)")
    imp.add_argument("paths", nargs="+", metavar="DIR|FILE", help="a directory of <entity>.csv files, or such files")
    imp.add_argument("--from", dest="origin", choices=["salesforce"],
                     help="the directory is a Salesforce data export (Account.csv, Contact.csv, Opportunity.csv …)")
    imp.add_argument("--source", help="the external ids' source when rows name none (default: csv, or salesforce)")
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imp.add_argument("--report", type=Path,
                     help="where the rejected rows go (CSV; default <COSELL_VAR_DIR>/imports/import-<time>.csv)")
    imp.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")
    imp.add_argument("--no-progress", action="store_true", help="no progress bars")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="write one entity (or all) in the native format, CSV or Parquet")
    exp.add_argument("entity", choices=[*ENTITY_NAMES, "all"], metavar="ENTITY",
                     help=f"one of {', '.join(ENTITY_NAMES)}, or all (with --output DIR)")
    exp.add_argument("--format", default="csv", choices=["csv", "parquet"])
    exp.add_argument("--since", type=_since, metavar="T",
                     help="only records created (tasks: updated) at or after T (ISO date or time, UTC if no offset)")
    exp.add_argument("--output", "-o", default="-", help="a file, - for standard output, a directory for all")
    exp.set_defaults(func=cmd_export)


def _since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since takes an ISO date or time, got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _progress(enabled: bool):
    from rich.console import Console
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        def render(self, task) -> Text:
            rows = task.fields.get("rows", 0)
            rate = rows / task.elapsed if task.elapsed else 0
            return Text(f"{rows:,} rows  {rate:,.0f} rows/s")

    return Progress(TextColumn("{task.description}"), BarColumn(), RowsPerSecond(), TextColumn("ETA"),
                    TimeRemainingColumn(), console=Console(stderr=True), disable=not enabled, transient=False)


def cmd_import(args) -> int:
    from partners.opportunities.reseller import RuleSet
    from partners.transfer.feeds import ImportRefused
    from partners.transfer.runner import run_import
    from plugins.manager import plugin_manager_for

    settings = common.load_settings()
    common.bind(settings)
    rules = RuleSet(plugin_manager_for(settings), frozenset(settings.disabled_rules))
    report = args.report or (Path(settings.var_dir) / "imports" /
                             f"import-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}.csv")
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"cosell: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    progress = _progress(not args.no_progress)
    tasks: dict[str, int] = {}

    def started(feed) -> None:
        tasks[feed.display] = progress.add_task(f"{feed.entity:<14} {Path(feed.display).name}", total=feed.size or None,
                                                rows=0)

    def advance(entity: str, display: str, rows: int, position: int) -> None:
        task = tasks[display]
        progress.update(task, completed=position, rows=progress.tasks[task].fields["rows"] + rows)

    try:
        with progress:
            result = common.run(run_import(paths, rules=rules, report_path=report, origin=args.origin,
                                           source=args.source, dry_run=args.dry_run, batch=max(1, args.batch),
                                           progress=advance, started=started))
    except ImportRefused as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return 2
    print(f"{'entity':<14} {'read':>8} {'created':>8} {'updated':>8} {'unchanged':>9} {'rejected':>8}")
    for name, t in result.tallies.items():
        print(f"{name:<14} {t.read:>8} {t.created:>8} {t.updated:>8} {t.unchanged:>9} {t.rejected:>8}")
    created = sum(t.created for t in result.tallies.values())
    updated = sum(t.updated for t in result.tallies.values())
    if result.dry_run:
        print(f"Dry run: {created} records would be created and {updated} updated; nothing was written.")
    else:
        print(f"Imported: {created} records created, {updated} updated.")
    print(f"Rejected rows: {result.rejected}; report: {result.report}")
    return 1 if result.rejected else 0


def cmd_export(args) -> int:
    from partners.transfer.entities import BY_NAME
    from partners.transfer.exporting import export

    settings = common.load_settings()
    common.bind(settings)
    if args.entity == "all":
        if args.output == "-":
            print("cosell: export all writes one file per entity: give --output DIR", file=sys.stderr)
            return 2
        directory = Path(args.output)
        directory.mkdir(parents=True, exist_ok=True)

        async def everything() -> None:
            for name in ENTITY_NAMES:
                suffix = "csv" if args.format == "csv" else "parquet"
                with open(directory / f"{name}.{suffix}", "w" if args.format == "csv" else "wb",
                          **({"newline": "", "encoding": "utf-8"} if args.format == "csv" else {})) as handle:
                    count = await export(BY_NAME[name], handle, args.format, args.since)
                print(f"{name}: {count} rows", file=sys.stderr)

        common.run(everything())
        return 0
    entity = BY_NAME[args.entity]
    binary = args.format == "parquet"
    if args.output == "-":
        stream = sys.stdout.buffer if binary else sys.stdout
        count = common.run(export(entity, stream, args.format, args.since))
        stream.flush()
    else:
        with open(args.output, "wb" if binary else "w", **({} if binary else {"newline": "", "encoding": "utf-8"})) \
                as handle:
            count = common.run(export(entity, handle, args.format, args.since))
    print(f"{args.entity}: {count} rows", file=sys.stderr)
    return 0
