// The channel dashboard (issue 36): one GraphQL request of channelMetrics (total, by month,
// the top partners by open pipeline, by region) with the signed-in token, drawn with Chart.js; every chart has a
// table view with the same figures. The token stays in this tab (sessionStorage).
(function () {
  "use strict";
  var FIGURES = "registrationsSubmitted registrationsApproved registrationsDenied registrationsReturned " +
    "registrationsWithdrawn registrationsExpired approvalRate " +
    "timeToFirstReview { count medianHours p90Hours missedTarget targetHours } " +
    "timeToDecision { count medianHours p90Hours missedTarget targetHours } " +
    "sourcedOpenPipeline { amount currency } sourcedWonNetArr { amount currency } winRate " +
    "leadsShared leadsAcceptedInTime leadsActedOnInTime leadsRecalled casesOpened casesPickedUpInTime casesClosedInTime";
  var TOP_PARTNERS = 10;
  var DOCUMENT = "query ChannelDashboard($f: ChannelMetricsFilter!) {\n" +
    "  viewer { name role }\n" +
    "  total: channelMetrics(filter: $f) { currency convertedOn rows { " + FIGURES + " } }\n" +
    "  byMonth: channelMetrics(filter: $f, groupBy: [MONTH]) { rows { month " + FIGURES + " } }\n" +
    // The partners charted only: the first page of partners by open pipeline (the API ranks them).
    "  byPartner: channelMetrics(filter: $f, groupBy: [PARTNER], orderBy: {by: SOURCED_OPEN_PIPELINE, direction: DESC}, " +
    "first: " + TOP_PARTNERS + ") { rows { partnerId partnerName sourcedOpenPipeline { amount currency } " +
    "sourcedWonNetArr { amount currency } winRate } }\n" +
    "  byRegion: channelMetrics(filter: $f, groupBy: [REGION]) { rows { region " + FIGURES + " } }\n}";
  var COLORS = ["#3867d6", "#20bf6b", "#eb3b5a", "#f7b731", "#8854d0", "#a5b1c2", "#0fb9b1", "#fa8231"];
  var charts = {};
  var $ = function (selector) { return document.querySelector(selector); };

  Chart.defaults.animation = false;  // drawn once per answer; screenshots and tests see the final state
  Chart.defaults.maintainAspectRatio = false;

  function token() { return sessionStorage.getItem("cosell.dashboard.token") || ""; }

  function status(text, isError) {
    var el = $("#status");
    el.textContent = text;
    el.className = isError ? "error" : "";
  }

  function criteria() {
    var form = $("#criteria");
    var regions = Array.prototype.filter.call(form.querySelectorAll("[name=regions]"), function (c) { return c.checked; })
      .map(function (c) { return c.value; });
    var f = { from: form.elements.from.value, to: form.elements.to.value };
    if (regions.length) f.regions = regions;
    return f;
  }

  function ask(query, variables) {
    return fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token() },
      body: JSON.stringify({ query: query, variables: variables }),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
        if (!response.ok) throw new Error("HTTP " + response.status);
        return body.data;
      });
    });
  }

  function money(value, currency) {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency }).format(Number(value));
  }

  function hours(value) { return value === null || value === undefined ? "–" : Number(value).toFixed(2) + " h"; }
  function percent(value) { return value === null || value === undefined ? "–" : (value * 100).toFixed(1) + " %"; }

  // A panel: its title, a Chart/Table switch, the chart and the table of the same figures.
  function panel(id, config, headers, rows) {
    var section = document.getElementById(id);
    section.textContent = "";
    var title = document.createElement("h2");
    title.textContent = section.dataset.title;
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "toggle";
    toggle.textContent = "Table";
    title.appendChild(toggle);
    section.appendChild(title);
    var holder = document.createElement("div");
    holder.className = "chart";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", section.dataset.title);
    holder.appendChild(canvas);
    section.appendChild(holder);
    var tableView = document.createElement("div");
    tableView.className = "table-view";
    tableView.hidden = true;
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    headers.forEach(function (h) { var th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
    var body = table.createTBody();
    rows.forEach(function (cells) {
      var tr = body.insertRow();
      cells.forEach(function (c) { tr.insertCell().textContent = c; });
    });
    tableView.appendChild(table);
    section.appendChild(tableView);
    toggle.addEventListener("click", function () {
      var showTable = tableView.hidden;
      tableView.hidden = !showTable;
      holder.hidden = showTable;
      toggle.textContent = showTable ? "Chart" : "Table";
    });
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart(canvas, config);
  }

  function bar(labels, datasets, options) {
    return {
      type: "bar",
      data: {
        labels: labels,
        datasets: datasets.map(function (d, i) {
          return Object.assign({ backgroundColor: COLORS[i % COLORS.length], borderColor: COLORS[i % COLORS.length] }, d);
        }),
      },
      options: Object.assign({ responsive: true, plugins: { legend: { position: "bottom" } } }, options || {}),
    };
  }

  function draw(data) {
    var total = data.total.rows[0] || null;
    var currency = data.total.currency;
    var empty = function (name) { return total ? total[name] : 0; };
    // Registrations funnel
    var steps = [["Submitted", "registrationsSubmitted"], ["Approved", "registrationsApproved"],
      ["Denied", "registrationsDenied"], ["Returned", "registrationsReturned"],
      ["Withdrawn", "registrationsWithdrawn"], ["Expired", "registrationsExpired"]];
    panel("funnel", bar(steps.map(function (s) { return s[0]; }),
      [{ label: "Registrations", data: steps.map(function (s) { return empty(s[1]); }) }],
      { indexAxis: "y", plugins: { legend: { display: false } } }),
      ["Step", "Registrations"], steps.map(function (s) { return [s[0], String(empty(s[1]))]; })
        .concat([["Approval rate", percent(total && total.approvalRate)]]));
    // Time to first review and to decision by month, against the P4 targets
    var months = data.byMonth.rows.filter(function (r) { return r.timeToFirstReview.count || r.timeToDecision.count; });
    var first = total ? total.timeToFirstReview : { targetHours: 2 };
    var decision = total ? total.timeToDecision : { targetHours: 8 };
    panel("review-times", bar(months.map(function (r) { return r.month; }), [
      { label: "First review, median", data: months.map(function (r) { return r.timeToFirstReview.medianHours; }) },
      { label: "First review, p90", data: months.map(function (r) { return r.timeToFirstReview.p90Hours; }) },
      { label: "Decision, median", data: months.map(function (r) { return r.timeToDecision.medianHours; }) },
      { label: "Decision, p90", data: months.map(function (r) { return r.timeToDecision.p90Hours; }) },
      { type: "line", label: "First review target (" + first.targetHours + " h)", borderDash: [6, 4], pointRadius: months.length > 1 ? 0 : 8, pointStyle: "line",
        data: months.map(function () { return first.targetHours; }) },
      { type: "line", label: "Decision target (" + decision.targetHours + " h)", borderDash: [2, 3], pointRadius: months.length > 1 ? 0 : 8, pointStyle: "line",
        data: months.map(function () { return decision.targetHours; }) },
    ], { scales: { y: { title: { display: true, text: "working hours" } } } }),
      ["Month", "First reviews", "Median", "p90", "Late", "Decisions", "Median", "p90", "Late"],
      months.map(function (r) {
        var a = r.timeToFirstReview, b = r.timeToDecision;
        return [r.month, String(a.count), hours(a.medianHours), hours(a.p90Hours), String(a.missedTarget),
          String(b.count), hours(b.medianHours), hours(b.p90Hours), String(b.missedTarget)];
      }));
    // Sourced pipeline of the top partners by open pipeline (in the API's order) and by region
    function amount(r, name) { return r[name] ? Number(r[name].amount) : 0; }
    function pipeline(id, rows, label) {
      panel(id, bar(rows.map(label), [
        { label: "Open pipeline (" + currency + ")", data: rows.map(function (r) { return amount(r, "sourcedOpenPipeline"); }) },
        { label: "Closed-won net ARR (" + currency + ")", data: rows.map(function (r) { return amount(r, "sourcedWonNetArr"); }) },
      ], { indexAxis: "y" }), ["", "Open pipeline", "Closed-won net ARR", "Win rate"], rows.map(function (r) {
        return [label(r), money(amount(r, "sourcedOpenPipeline"), currency), money(amount(r, "sourcedWonNetArr"), currency),
          percent(r.winRate)];
      }));
    }
    var partners = data.byPartner.rows.filter(function (r) {
      return amount(r, "sourcedOpenPipeline") || amount(r, "sourcedWonNetArr");
    });
    pipeline("pipeline-partner", partners, function (r) { return r.partnerName; });
    pipeline("pipeline-region", data.byRegion.rows.filter(function (r) { return r.region; }),
      function (r) { return r.region; });
    // Lead and case SLAs
    var leads = [["Shared", "leadsShared"], ["Accepted in time", "leadsAcceptedInTime"],
      ["Acted on in time", "leadsActedOnInTime"], ["Recalled", "leadsRecalled"]];
    var cases = [["Opened", "casesOpened"], ["Picked up within 24 h", "casesPickedUpInTime"],
      ["Closed within 15 days", "casesClosedInTime"]];
    [["lead-sla", leads, "Leads"], ["case-sla", cases, "Cases"]].forEach(function (spec) {
      panel(spec[0], bar(spec[1].map(function (s) { return s[0]; }),
        [{ label: spec[2], data: spec[1].map(function (s) { return empty(s[1]); }) }],
        { plugins: { legend: { display: false } } }),
        ["", spec[2]], spec[1].map(function (s) { return [s[0], String(empty(s[1]))]; }));
    });
    $("#panels").hidden = false;
    document.body.dataset.ready = "true";
    status((data.viewer ? data.viewer.name + " · " : "") + "amounts in " + currency + " at the rates of " +
      data.total.convertedOn + ".");
  }

  function show() {
    if (!token()) { status("Sign in with your token.", true); return; }
    document.body.dataset.ready = "false";
    status("Loading…");
    ask(DOCUMENT, { f: criteria() }).then(draw).catch(function (err) { status(err.message, true); });
  }

  function download() {
    var f = criteria();
    var params = new URLSearchParams({ from: f.from, to: f.to, groupBy: "PARTNER" });
    (f.regions || []).forEach(function (r) { params.append("regions", r); });
    fetch("/exports/channel-metrics.csv?" + params, { headers: { Authorization: "Bearer " + token() } })
      .then(function (response) {
        if (!response.ok) return response.json().then(function (b) { throw new Error(b.errors[0].message); });
        return response.blob();
      })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "channel-metrics-" + f.from + "-" + f.to + ".csv";
        link.click();
        URL.revokeObjectURL(link.href);
      })
      .catch(function (err) { status(err.message, true); });
  }

  var today = new Date();
  var yearAgo = new Date(today.getTime() - 365 * 86400000);
  $("#criteria").elements.from.value = yearAgo.toISOString().slice(0, 10);
  $("#criteria").elements.to.value = today.toISOString().slice(0, 10);
  $("#sign-in").addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem("cosell.dashboard.token", $("#token").value.trim());
    $("#token").value = "";
    $("#sign-out").hidden = false;
    show();
  });
  $("#sign-out").addEventListener("click", function () {
    sessionStorage.removeItem("cosell.dashboard.token");
    $("#panels").hidden = true;
    $("#sign-out").hidden = true;
    status("Signed out.");
  });
  $("#criteria").addEventListener("submit", function (event) { event.preventDefault(); show(); });
  $("#download").addEventListener("click", download);
  if (token()) { $("#sign-out").hidden = false; show(); }
})();
