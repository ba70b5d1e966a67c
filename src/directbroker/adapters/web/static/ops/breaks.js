// The operations console's clearing breaks: the back office's daily reconciliation with the
// clearing firm (GET /v1/firm/breaks/days and /v1/firm/breaks), a day at a time. The day
// picker starts on the latest day reconciled and follows new days while it stays there; the
// table shows each break with its age, coloured as it gets older, filtered by status and kind.

import { api } from "../common/api.js";
import { el } from "../common/format.js";
import { failure } from "../common/shell.js";
import { useDataStyles } from "./breaks_styles.js";
import { KINDS, breakRow, headRow, kindName, totalsList } from "./breaks_view.js";

const REFRESH_MS = 60_000;

function dayLabel(day) {
  if (!day.readable) return `${day.date} (report unreadable)`;
  if (day.clean) return `${day.date}: clean`;
  return `${day.date}: ${day.open} open`;
}

function select(id, label, options) {
  const control = el("select", { id, name: id }, ...options.map(([value, text]) => el("option", { value }, text)));
  return [el("label", { for: id }, label, control), control];
}

export async function mountBreaks(panel) {
  useDataStyles();
  const [dayLabelEl, day] = select("breaks-day", "Day", []);
  const [statusLabel, status] = select("breaks-status", "Status", [
    ["open", "Open"], ["resolved", "Resolved that day"], ["all", "All"],
  ]);
  const [kindLabel, kind] = select("breaks-kind", "Kind", [["", "All kinds"], ...KINDS]);
  const refresh = el("button", { type: "button", id: "breaks-refresh" }, "Refresh");
  const summary = el("p", { id: "breaks-summary", class: "breaks-summary", role: "status" }, "Loading…");
  const totals = el("div", { class: "breaks-totals-wrap" });
  const body = el("tbody");
  const table = el(
    "table",
    { id: "breaks-table", class: "breaks-table" },
    el("caption", { class: "visually-hidden" }, "Reconciliation breaks"),
    el("thead", {}, headRow()),
    body,
  );
  const scroller = el("div", { class: "breaks-scroll", tabindex: "0", "aria-label": "breaks" }, table);
  panel.classList.add("breaks-panel");
  panel.append(
    el("h2", { id: "breaks-title" }, "Clearing breaks"),
    el("form", { class: "breaks-controls", id: "breaks-controls", "aria-labelledby": "breaks-title" },
      dayLabelEl, statusLabel, kindLabel, refresh),
    summary,
    totals,
    scroller,
  );
  panel.querySelector("form").addEventListener("submit", (event) => event.preventDefault());

  let followLatest = true;
  let shown = 0;

  async function loadDays() {
    const { days } = await api("GET", "/v1/firm/breaks/days");
    const wanted = followLatest || !day.value ? days[0]?.date : day.value;
    day.replaceChildren(...days.map((d) => el("option", { value: d.date }, dayLabel(d))));
    if (wanted) day.value = wanted;
    day.disabled = days.length === 0;
    return days;
  }

  async function loadBreaks() {
    const ticket = ++shown;
    if (!day.value) {
      summary.textContent = "No day has been reconciled with the clearing firm yet.";
      totals.replaceChildren();
      body.replaceChildren();
      table.hidden = true;
      return;
    }
    const report = await api("GET", "/v1/firm/breaks", undefined, {
      query: { date: day.value, status: status.value, kind: kind.value },
    });
    if (ticket !== shown) return; // a later choice was made while this one loaded
    const rows = report.breaks;
    body.replaceChildren(...rows.map(breakRow));
    table.hidden = rows.length === 0;
    totals.replaceChildren(rows.length ? totalsList(report.totals) : "");
    summary.textContent = describe(report, rows.length);
    summary.className = `breaks-summary ${report.clean ? "clean" : "open"}`;
  }

  function describe(report, count) {
    const s = report.summary;
    const counts = `${s.open} open (${s.unexplained} unexplained), ${s.resolved} resolved that day.`;
    if (report.clean && status.value === "open" && !kind.value) {
      return `No breaks on ${report.date}: our books and the clearing firm's files agree. ${s.resolved} resolved that day.`;
    }
    if (count === 0) {
      const what = kind.value ? `${kindName(kind.value).toLowerCase()} ` : "";
      const which = status.value === "all" ? "" : `${status.value === "open" ? "open" : "resolved"} `;
      return `No ${which}${what}breaks on ${report.date}. ${counts}`;
    }
    return `${report.date}: ${counts}`;
  }

  async function update(reloadDays) {
    try {
      if (reloadDays) await loadDays();
      await loadBreaks();
    } catch (error) {
      summary.textContent = `Breaks unavailable: ${failure(error)}`;
      summary.className = "breaks-summary error";
    }
  }

  day.addEventListener("change", () => {
    followLatest = day.selectedIndex === 0;
    update(false);
  });
  status.addEventListener("change", () => update(false));
  kind.addEventListener("change", () => update(false));
  refresh.addEventListener("click", () => update(true));
  // New days are reconciled at each day's end; follow them while the latest day is in view.
  setInterval(() => {
    if (followLatest && !document.hidden && !panel.hidden) update(true);
  }, REFRESH_MS);
  await update(true);
}
