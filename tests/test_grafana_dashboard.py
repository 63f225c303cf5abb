"""What an operator imports and reads (issue 42): the Grafana dashboard docs/grafana/cosell.json,
the Prometheus alerting rules docs/grafana/alerts.yml and the "Metrics" section of
docs/operations.md name only metrics and labels that partners/infra/metrics.py defines, in the
form `/metrics` exports them (counters with `_total`, histograms as `_bucket`/`_sum`/`_count`,
derived from prometheus_client's own metric families, not from a list kept here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml  # PyYAML, installed with the test extra (schemathesis requires it)
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from partners.infra import metrics

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "docs" / "grafana" / "cosell.json"
ALERTS = ROOT / "docs" / "grafana" / "alerts.yml"
OPERATIONS = ROOT / "docs" / "operations.md"

# Labels Prometheus adds to every scraped series (the target's address): usable in any panel.
TARGET_LABELS = frozenset({"instance"})
# Labels whose values a metric's help text lists (e.g. "outcome (ok, user_error, error, refused)"):
# a matcher on them must use one of those words, so a typo like outcome="failure" is caught.
ENUMERATED = frozenset({"outcome", "result", "status", "state", "executor"})
AGGREGATIONS = ("sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk",
                "quantile", "count_values")
FUNCTIONS = frozenset({
    "rate", "irate", "increase", "delta", "deriv", "histogram_quantile", "time", "vector", "scalar",
    "clamp_min", "clamp_max", "abs", "round", "absent", "absent_over_time", "changes", "resets",
    "timestamp", "label_replace", "sort", "sort_desc", "avg_over_time", "max_over_time", "min_over_time",
    "sum_over_time", "last_over_time", "and", "or", "unless", "bool", "offset", *AGGREGATIONS})
COUNTING = ("rate", "irate", "increase")


def defined_metrics() -> list[MetricWrapperBase]:
    return [value for value in vars(metrics).values() if isinstance(value, MetricWrapperBase)]


class Series:
    """One exported series name: its family's name, type and help, the labels it carries."""

    def __init__(self, family: str, kind: str, documentation: str, labels: frozenset[str]) -> None:
        self.family, self.kind, self.documentation, self.labels = family, kind, documentation, labels

    @property
    def counted(self) -> bool:
        """Counters and histogram series only grow: a panel reads them through rate()/increase()."""
        return self.kind in ("counter", "histogram")


def exported() -> dict[str, Series]:
    """Series name -> Series, as `/metrics` exposes every metric of partners/infra/metrics.py.
    Built from each metric's own description (name, type) and label names, filled into
    prometheus_client's metric families, whose samples carry the suffixes and the `le` label
    the exposition uses. Nothing is recorded into the real metrics."""
    families = {"counter": CounterMetricFamily, "gauge": GaugeMetricFamily, "histogram": HistogramMetricFamily}
    series: dict[str, Series] = {}
    for metric in defined_metrics():
        (described,) = metric.describe()
        labels = list(metric._labelnames)
        family = families[described.type](described.name, described.documentation, labels=labels)
        if described.type == "histogram":
            family.add_metric(["x"] * len(labels), [("1.0", 0), ("+Inf", 0)], 0)
        else:
            family.add_metric(["x"] * len(labels), 0)
        for sample in family.samples:
            if sample.name.endswith("_created"):  # not exported in multiprocess mode: never chart it
                continue
            series[sample.name] = Series(described.name, described.type, described.documentation,
                                         frozenset(sample.labels))
    return series


def _closing(text: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise AssertionError(f"unbalanced parentheses in {text!r}")


def _label_list(text: str) -> set[str]:
    return {label.strip() for label in text.split(",") if label.strip()}


def problems(expr: str) -> list[str]:
    """What is wrong with one PromQL expression, measured against the exported series: unknown
    metric or identifier, a matcher or grouping label the series do not carry, a matcher value
    the metric's help does not list, a counter read without rate(), a gauge read with it."""
    known = exported()
    found: list[str] = []
    # Grafana's variables ($operation, ${datasource}, $__rate_interval) are not PromQL.
    text = re.sub(r"\$\{?\w+\}?", "X", expr)
    selectors = list(re.finditer(r"(?<![\w:])([a-zA-Z_:][\w:]*)\s*(\{[^}]*\})?\s*(\[[^\]]*\])?", text))
    used: list[tuple[Series, re.Match]] = []
    for match in selectors:
        name, matchers, window = match.groups()
        if name in FUNCTIONS or name in ("by", "without", "on", "ignoring", "group_left", "group_right"):
            continue
        before = text[:match.start()].rstrip()
        if before.endswith("(") and re.search(r"\b(by|without|on|ignoring|group_left|group_right)\s*\($", before):
            continue  # a label inside by (...): checked below
        if re.search(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*,\s*$", before):
            continue
        if text[match.start():].startswith(tuple("0123456789")):
            continue
        series = known.get(name)
        if series is None:
            found.append(f"unknown metric or function {name!r}")
            continue
        used.append((series, match))
        for label, operator, value in re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"', matchers or ""):
            if label not in series.labels | TARGET_LABELS:
                found.append(f"{name} has no label {label!r} (labels: {sorted(series.labels)})")
            elif label in ENUMERATED and value != "X":
                for word in value.split("|"):
                    if not re.search(rf"\b{re.escape(word)}\b", series.documentation):
                        found.append(f"{name}{{{label}{operator}{value!r}}}: {word!r} is not a value its help lists")
        head = text[:match.start()]
        inside_counting = re.search(rf"\b({'|'.join(COUNTING)})\s*\(\s*$", head) is not None
        if series.counted and not (inside_counting and window):
            found.append(f"{name} is a {series.kind}: read it through rate()/increase() over a window")
        if not series.counted and inside_counting:
            found.append(f"{name} is a gauge: rate()/increase() of it means nothing")
    if not used:
        found.append("names no cosell metric")
    # Grouping: the labels of `sum by (...) (arg)` / `sum (arg) by (...)` must be carried by
    # every series the aggregation reads (`le` only by histogram buckets).
    for match in re.finditer(rf"\b({'|'.join(AGGREGATIONS)})\s*(?:(by|without)\s*\(([^)]*)\)\s*)?\(", text):
        opening = match.end() - 1
        closing = _closing(text, opening)
        argument = text[opening:closing + 1]
        labels = _label_list(match.group(3) or "")
        after = re.match(r"\s*(by|without)\s*\(([^)]*)\)", text[closing + 1:])
        if after:
            labels |= _label_list(after.group(2))
        inner = [series for series, selector in used if opening < selector.start() < closing]
        if not inner:
            found.append(f"{match.group(0)} aggregates no cosell metric: {argument}")
            continue
        for label in sorted(labels):
            missing = [series.family for series in inner if label not in series.labels | TARGET_LABELS]
            if missing:
                found.append(f"{match.group(1)} by ({label}) over {sorted(set(missing))}, which have no label {label!r}")
    for match in re.finditer(r"\b(on|ignoring)\s*\(([^)]*)\)", text):
        carried = set().union(*(series.labels for series, _ in used)) | TARGET_LABELS
        found += [f"{match.group(1)}({label}): no metric of the expression has it"
                  for label in _label_list(match.group(2)) - carried]
    for match in re.finditer(r"\bhistogram_quantile\s*\(", text):
        argument = text[match.end() - 1:_closing(text, match.end() - 1) + 1]
        if "_bucket" not in argument or not re.search(r"\bby\s*\([^)]*\ble\b", argument):
            found.append(f"histogram_quantile over something else than sum by (le, …) (rate(…_bucket[…])): {argument}")
    return found


def load_dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def panels(dashboard: dict) -> list[dict]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found += panel.get("panels", [])  # a collapsed row keeps its panels inside
    return found


def queries(dashboard: dict) -> list[tuple[str, str]]:
    return [(f"panel {panel['id']} {panel['title']!r} {target['refId']}", target["expr"])
            for panel in panels(dashboard) for target in panel.get("targets", [])]


def alert_rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"] for rule in group["rules"]]


# ---- the checker itself


def test_the_exported_names_follow_prometheus_client():
    names = exported()
    assert names["cosell_graphql_requests_total"].labels == {"operation", "outcome", "code"}
    assert names["cosell_graphql_request_duration_seconds_bucket"].labels == {"operation", "executor", "le"}
    assert names["cosell_graphql_request_duration_seconds_count"].labels == {"operation", "executor"}
    assert names["cosell_outbox_oldest_pending_age_seconds"].labels == set()
    assert "cosell_graphql_requests" not in names and "cosell_outbox_messages_total" not in names
    assert {series.family for series in names.values()} == {m.describe()[0].name for m in defined_metrics()}


@pytest.mark.parametrize("expr, complaint", [
    ("sum(rate(cosell_graphql_requests[5m]))", "unknown metric"),
    ("sum(rate(cosell_graphql_requests_total{outcom=\"error\"}[5m]))", "no label 'outcom'"),
    ("sum(rate(cosell_graphql_requests_total{outcome=\"failure\"}[5m]))", "not a value its help lists"),
    ("sum by (executor) (rate(cosell_graphql_requests_total[5m]))", "no label 'executor'"),
    ("sum(rate(cosell_graphql_requests_total[5m])) by (job)", "no label 'job'"),
    ("histogram_quantile(0.9, sum by (operation) (rate(cosell_graphql_request_duration_seconds_bucket[5m])))",
     "histogram_quantile"),
    ("sum by (le) (rate(cosell_job_runs_total[5m]))", "no label 'le'"),
    ("sum(cosell_job_runs_total)", "through rate()"),
    ("rate(cosell_job_lag_seconds[5m])", "is a gauge"),
    ("sum(up)", "unknown metric"),
])
def test_the_checker_refuses_what_prometheus_would_answer_wrongly(expr, complaint):
    assert any(complaint in problem for problem in problems(expr)), problems(expr)


# ---- the dashboard


def test_the_dashboard_is_a_grafana_dashboard():
    dashboard = load_dashboard()
    assert dashboard["title"] and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", dashboard["uid"])
    assert isinstance(dashboard["schemaVersion"], int) and dashboard["schemaVersion"] >= 36
    assert dashboard.get("id") is None, "an exported id would overwrite another dashboard on import"
    variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in panels(dashboard)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels(dashboard):
        assert isinstance(panel["id"], int) and panel["type"] and panel["title"], panel
        grid = panel["gridPos"]
        assert all(isinstance(grid[key], int) for key in ("h", "w", "x", "y")), panel["title"]
        assert grid["w"] >= 1 and grid["h"] >= 1 and grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["targets"], f"panel {panel['title']!r} has no query"
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)) and all(target["expr"] for target in panel["targets"])


def test_no_two_panels_overlap():
    boxes = [(panel["title"], panel["gridPos"]) for panel in panels(load_dashboard())]
    for index, (title, a) in enumerate(boxes):
        for other, b in boxes[index + 1:]:
            apart = (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                     or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])
            assert apart, f"{title!r} overlaps {other!r}"


def test_every_panel_query_names_existing_metrics_and_labels():
    broken = {where: found for where, expr in queries(load_dashboard()) if (found := problems(expr))}
    assert broken == {}


def test_the_dashboard_variables_name_existing_metrics_and_labels():
    names = exported()
    for variable in load_dashboard()["templating"]["list"]:
        if variable["type"] != "query":
            continue
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        metric, label = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", query).groups()
        assert metric in names and label in names[metric].labels, query


def test_the_dashboard_charts_every_metric():
    charted = {exported()[name].family for _, expr in queries(load_dashboard())
               for name in re.findall(r"cosell_\w+", expr)}
    assert charted == {metric.describe()[0].name for metric in defined_metrics()}


# ---- the alerting rules


def test_the_alert_rules_are_prometheus_rules():
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"Cosell[A-Za-z0-9]+", rule["alert"])
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0s")), rule["alert"]
        assert rule["labels"]["severity"] in ("critical", "warning", "info"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        assert re.search(r"(>|<|==|!=)\s*[\d.]", rule["expr"]), f"{rule['alert']} compares nothing"


def test_every_alert_names_existing_metrics_and_labels():
    broken = {rule["alert"]: found for rule in alert_rules() if (found := problems(rule["expr"]))}
    assert broken == {}


def test_the_alerts_cover_what_issue_42_asks_for():
    exprs = " ".join(rule["expr"] for rule in alert_rules())
    for metric in ("cosell_outbox_oldest_pending_age_seconds", 'cosell_outbox_messages{status="DEAD"}',
                   "cosell_job_last_success_timestamp_seconds", "cosell_job_lag_seconds",
                   'cosell_graphql_requests_total{outcome="error"}', "cosell_graphql_request_duration_seconds_bucket",
                   "cosell_db_pool_wait_seconds_bucket"):
        assert metric in exprs
    assert "cosell_outbox_oldest_pending_age_seconds) > 300" in exprs  # 5 minutes


# ---- docs/operations.md


def metrics_section() -> str:
    text = OPERATIONS.read_text(encoding="utf-8")
    start = text.index("\n## Metrics\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


@pytest.mark.parametrize("metric", defined_metrics(), ids=lambda metric: metric.describe()[0].name)
def test_every_metric_is_documented_with_its_type_and_labels(metric):
    """docs/operations.md's table row for a metric: its exported name, its type, its labels."""
    (described,) = metric.describe()
    name = described.name + ("_total" if described.type == "counter" else "")
    rows = [line for line in metrics_section().splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"docs/operations.md, Metrics: no table row for `{name}`"
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells[1] == described.type, f"{name} is a {described.type}, documented as {cells[1]}"
    assert set(re.findall(r"`(\w+)`", cells[2])) == set(metric._labelnames), f"labels of {name}"


def test_the_metrics_section_documents_no_metric_that_does_not_exist():
    names = {m.describe()[0].name + ("_total" if m.describe()[0].type == "counter" else "") for m in defined_metrics()}
    documented = set(re.findall(r"^\| `(cosell_\w+)` \|", metrics_section(), re.MULTILINE))
    assert documented == names


def test_the_metrics_section_explains_the_setting_the_dashboard_and_the_alerts():
    section = metrics_section()
    for needed in ("`COSELL_METRICS`", "--workers", "PROMETHEUS_MULTIPROC_DIR", "docs/grafana/cosell.json",
                   "docs/grafana/alerts.yml", "job_name"):
        assert needed in section, needed
    for rule in alert_rules():
        assert f"`{rule['alert']}`" in section, f"alert {rule['alert']} is not explained in docs/operations.md"
