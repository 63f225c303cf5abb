"""`cosell rates import|list|fetch` and the daily fetch job (issue 40), on the test database."""

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from partners.accounts.tables import Account
from partners.infra.clock import now
from partners.infra.engines import bind_engine, engine_for
from partners.infra.tables import AuditEntry, OutboxMessage
from partners.money.currencies import Currencies
from partners.money.tables import ExchangeRate
from plugins.manager import PluginFailure, plugin_manager_for
from server.background import BackgroundRunner, exchange_rates_job, outbox_job
from server.cli import main
from server.rates import FETCH_KIND, RateAnswerError, fetch_rates
from server.settings import Settings
from server.testing import truncate_all
from tests.plugins import exchange_rates
from tests.plugins.installed import install_plugin

ECB = """Date,USD,JPY,BGN,CYP,GBP,
2026-12-04,1.0823,161.53,1.9558,N/A,0.8512,
2026-12-03,1.0800,161.10,1.9558,N/A,,
"""
LONG = """date,base,quote,rate
2026-12-01,USD,JPY,150.25
2026-12-01,EUR,USD,1.0790
2026-12-02,EUR,USD,1.0811
"""


@pytest.fixture
def db(cosell_database_url):
    """An empty database bound in this process (the CLI binds its own engine too)."""
    asyncio.run(truncate_all(cosell_database_url))
    bind_engine(engine_for(cosell_database_url))
    return cosell_database_url


def stored() -> dict[tuple[str, str, str], tuple[Decimal, str]]:
    bind_engine(engine_for(Settings.from_env().database_url))
    rows = asyncio.run(ExchangeRate.select().run())
    return {(r["day"].isoformat(), r["base"], r["quote"]): (r["rate"], r["source"]) for r in rows}


def write(tmp_path, text: str, name: str = "rates.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_ecb_layout_is_imported_exactly_skipping_missing_cells(db, tmp_path, capsys):
    assert main(["rates", "import", write(tmp_path, ECB, "eurofxref-hist.csv")]) == 0
    out = capsys.readouterr().out
    assert "rows: 7 added, 0 replaced, 0 unchanged; pairs: 4" in out
    assert "days: 2026-12-03 to 2026-12-04" in out
    assert "withdrawn currencies: CYP" in out
    rates = stored()
    assert len(rates) == 7  # N/A (CYP) and the empty GBP cell are skipped
    assert rates[("2026-12-04", "EUR", "USD")] == (Decimal("1.0823"), "eurofxref-hist.csv")
    assert str(rates[("2026-12-03", "EUR", "USD")][0]) == "1.0800"  # as written: no float in between
    assert ("2026-12-03", "EUR", "GBP") not in rates
    audit = asyncio.run(AuditEntry.select().where(AuditEntry.mutation == "rates import").run())
    assert len(audit) == 1 and audit[0]["actor"] == "" and '"added": 7' in audit[0]["input_summary"]


def test_the_long_layout_and_another_base_for_the_ecb_layout(db, tmp_path, capsys):
    assert main(["rates", "import", write(tmp_path, LONG), "--source", "treasury"]) == 0
    assert "rows: 3 added" in capsys.readouterr().out
    assert stored()[("2026-12-01", "USD", "JPY")] == (Decimal("150.25"), "treasury")
    assert main(["rates", "import", write(tmp_path, "Date,JPY\n2026-12-01,150.30\n", "usd.csv"), "--base", "USD"]) == 0
    assert "0 added, 1 replaced" in capsys.readouterr().out
    assert stored()[("2026-12-01", "USD", "JPY")] == (Decimal("150.30"), "usd.csv")


def test_a_bad_line_refuses_the_whole_file_with_line_numbers(db, tmp_path, capsys):
    bad = LONG + "2026-12-03,EUR,USX,1.08\n2026-13-01,EUR,USD,1.08\n2026-12-04,EUR,USD,1.0e0\n" \
                 "2026-12-05,EUR,USD,-1\n2026-12-02,EUR,USD,1.09\n"
    assert main(["rates", "import", write(tmp_path, bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing imported, 5 problem(s)" in err
    assert "line 5: quote 'USX' is not an ISO 4217 currency code" in err
    assert "line 6: '2026-13-01' is not a date" in err
    assert "line 7: rate '1.0e0' is not a positive decimal number" in err
    assert "line 8: rate '-1'" in err
    assert "line 9: EUR/USD on 2026-12-02 was already given on line 4" in err
    assert stored() == {}  # the good lines were not written either


def test_reimporting_replaces_changed_rates_and_counts_the_same_ones(db, tmp_path, capsys):
    assert main(["rates", "import", write(tmp_path, ECB)]) == 0
    capsys.readouterr()
    corrected = ECB.replace("1.0823", "1.0825").replace("2026-12-03", "2026-12-02")
    assert main(["rates", "import", write(tmp_path, corrected, "corrected.csv")]) == 0
    out = capsys.readouterr().out
    assert "rows: 3 added, 1 replaced, 3 unchanged" in out
    rates = stored()
    assert rates[("2026-12-04", "EUR", "USD")] == (Decimal("1.0825"), "corrected.csv")
    assert rates[("2026-12-04", "EUR", "JPY")] == (Decimal("161.53"), "rates.csv")
    assert len(rates) == 10


def test_an_unknown_header_is_refused(db, tmp_path, capsys):
    assert main(["rates", "import", write(tmp_path, "when,what\n2026-12-01,1\n")]) == 1
    assert "unknown header" in capsys.readouterr().err


def test_list_shows_the_newest_first(db, tmp_path, capsys):
    assert main(["rates", "import", write(tmp_path, LONG)]) == 0
    capsys.readouterr()
    assert main(["rates", "list", "--pair", "EUR/USD", "--limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].split() == ["2026-12-02", "EUR/USD", "1.0811", "rates.csv"]
    assert main(["rates", "list", "--pair", "EUR-USD"]) == 2


async def _accounts(*countries_and_currencies):
    for index, (country, currency) in enumerate(countries_and_currencies):
        await Account(name=f"Account {index}", country=country, currency=currency, created_at=now()).save()


def test_hook_cosell_exchange_rate_is_asked_for_each_currency_in_use(db, tmp_path, monkeypatch, capsys):
    install_plugin(tmp_path, monkeypatch, entry_name="bank", source="from tests.plugins.exchange_rates import *\n")
    monkeypatch.setenv("COSELL_PLUGINS", "bank")
    asyncio.run(_accounts(("JP", "JPY"), ("DE", "EUR"), ("CH", "CHF"), ("US", "USD")))
    exchange_rates.CALLS.clear()
    assert main(["rates", "fetch", "--date", "2026-12-04"]) == 0
    out = capsys.readouterr().out
    assert "rows: 2 added" in out and "USD/JPY from bank" in out and "no plugin answered: USD/CHF" in out
    assert {(b, q) for b, q, _ in exchange_rates.CALLS} == {("USD", "CHF"), ("USD", "EUR"), ("USD", "JPY")}
    assert all(day == date(2026, 12, 4) for _, _, day in exchange_rates.CALLS)
    rates = stored()
    assert rates == {("2026-12-04", "USD", "EUR"): (Decimal("0.9240"), "bank"),
                     ("2026-12-04", "USD", "JPY"): (Decimal("150.25"), "bank")}


def test_fetch_without_a_plugin_says_so(db, capsys):
    assert main(["rates", "fetch"]) == 1
    assert "no loaded plugin implements cosell_exchange_rate" in capsys.readouterr().err


async def test_a_float_answer_is_refused_and_nothing_is_stored(cosell_client, cosell_settings):
    await _accounts(("DE", "EUR"), ("JP", "JPY"))
    plugins = plugin_manager_for(cosell_settings, extra_plugins=[("bank", exchange_rates),
                                                                  ("floaty", exchange_rates.FloatRates())])
    with pytest.raises(RateAnswerError, match="float 0.924"):
        await fetch_rates(plugins, date(2026, 12, 4))
    assert await ExchangeRate.count() == 0


async def test_hook_cosell_exchange_rate_first_answer_wins_and_awaitables_are_awaited(cosell_client, cosell_settings):
    await _accounts(("DE", "EUR"), ("CA", "CAD"))
    plugins = plugin_manager_for(cosell_settings, extra_plugins=[("bank", exchange_rates),
                                                                  ("async-bank", exchange_rates.AsyncRates())])
    report = await fetch_rates(plugins, date(2026, 12, 4))
    assert report.sources == {"USD/CAD": "async-bank", "USD/EUR": "bank"}
    rows = await ExchangeRate.select(ExchangeRate.quote, ExchangeRate.rate, ExchangeRate.source).order_by(
        ExchangeRate.quote)
    assert [(r["quote"], str(r["rate"]), r["source"]) for r in rows] == [
        ("CAD", "1.3700", "async-bank"), ("EUR", "0.9240", "bank")]


async def test_the_reporting_currency_is_the_base_asked_for(cosell_client, cosell_settings, monkeypatch):
    monkeypatch.setattr(Currencies, "reporting", "EUR")
    await _accounts(("JP", "JPY"))
    exchange_rates.CALLS.clear()
    plugins = plugin_manager_for(cosell_settings, extra_plugins=[("bank", exchange_rates)])
    report = await fetch_rates(plugins, date(2026, 12, 4))
    # USD is always asked for: O11's and A7's thresholds are in USD.
    assert {(b, q) for b, q, _ in exchange_rates.CALLS} == {("EUR", "JPY"), ("EUR", "USD")}
    assert report.unanswered == ["EUR/JPY", "EUR/USD"]  # this bank publishes against USD only


async def test_the_daily_job_enqueues_one_fetch_a_day_and_the_outbox_runs_it_once(cosell_client, cosell_settings):
    await _accounts(("DE", "EUR"))
    plugins = plugin_manager_for(cosell_settings, extra_plugins=[("bank", exchange_rates)])
    runner = BackgroundRunner([exchange_rates_job(cosell_settings, plugins), exchange_rates_job(cosell_settings, plugins)])
    await runner.run_once()  # two instances' jobs: one message
    messages = await OutboxMessage.select().where(OutboxMessage.kind == FETCH_KIND)
    assert len(messages) == 1 and messages[0]["dedupe_key"] == f"exchange-rates:{now().date()}"
    report = await BackgroundRunner([outbox_job(cosell_settings, plugins, "worker-1")]).run_once()
    assert report["outbox"].sent == 1
    rows = await ExchangeRate.select(ExchangeRate.day, ExchangeRate.quote, ExchangeRate.source)
    assert rows == [{"day": now().date(), "quote": "EUR", "source": "bank"}]
    assert await AuditEntry.count().where(AuditEntry.mutation == "rates fetch") == 1


async def test_the_daily_job_does_nothing_without_a_plugin(cosell_client, cosell_settings):
    plugins = plugin_manager_for(cosell_settings)
    assert (await BackgroundRunner([exchange_rates_job(cosell_settings, plugins)]).run_once()) == {
        "exchange-rates": None}
    assert await OutboxMessage.count() == 0


async def test_a_failing_plugin_names_itself(cosell_client, cosell_settings):
    class Broken:
        @exchange_rates.hookimpl
        def cosell_exchange_rate(self, base, quote, day):
            raise ConnectionError("bank down")

    await _accounts(("DE", "EUR"))
    plugins = plugin_manager_for(cosell_settings, extra_plugins=[("broken", Broken())])
    with pytest.raises(PluginFailure, match="broken"):
        await fetch_rates(plugins, date(2026, 12, 4))
