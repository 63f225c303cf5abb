"""Issue 40: `exchange_rate`, the dated exchange rates (partners/money/tables.py), one row
per (base, quote, day) (the unique index is made by the next migration: raw steps run
before the table is added)."""

from decimal import Decimal

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

from partners.money.columns import ExactDecimal

ID = "2026-12-07T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dated exchange rates"

TABLE = dict(table_class_name="ExchangeRate", tablename="exchange_rate", schema=None)


def _params(**extra):
    params = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(extra)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_table(class_name="ExchangeRate", tablename="exchange_rate", schema=None, columns=None)
    columns = (
        ("day", Date, _params(default=DateNow(), index=True)),
        ("base", Varchar, _params(default="", length=3)),
        ("quote", Varchar, _params(default="", length=3)),
        ("rate", ExactDecimal, _params(default=Decimal(0), digits=None)),
        ("source", Varchar, _params(default="", length=200)),
        ("imported_at", Timestamptz, _params(default=TimestamptzNow())),
    )
    for name, column_class, params in columns:
        manager.add_column(**TABLE, column_name=name, db_column_name=name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params)

    return manager
