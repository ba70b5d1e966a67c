// The operations console's monthly activity report (GET /v1/reports/monthly): a month picker,
// the report's figures against a year and a month earlier, charts of the months before it,
// and the report to download in the formats the route offers. The months offered are the
// firm's: the report of the firm's current month (its clock, which may be simulated) carries
// the thirteen months up to it, and a month the firm had books in is one to pick.

import { api } from "../common/api.js";
import { el } from "../common/format.js";
import { failure } from "../common/shell.js";
import { useDataStyles } from "./breaks_styles.js";
import { drawCharts } from "./monthly_charts.js";
import { figuresTable, footnote, monthName } from "./monthly_table.js";

const DOWNLOADS = [
  ["csv", "CSV", "csv"],
  ["text", "Text", "txt"],
  ["html", "HTML page", "html"],
];
const MONTH = "/v1/reports/monthly";

/** The firm's current month (YYYY-MM), by its market clock, or the browser's when that fails. */
async function currentMonth() {
  try {
    const clock = await api("GET", "/v2/clock");
    if (clock && /^\d{4}-\d{2}/.test(clock.timestamp)) return clock.timestamp.slice(0, 7);
  } catch {
    // A key without the Trading API: the browser's month is the best guess.
  }
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
}

export async function mountMonthly(panel) {
  useDataStyles();
  const month = el("select", { id: "monthly-month", name: "monthly-month" });
  const refresh = el("button", { type: "button", id: "monthly-refresh" }, "Refresh");
  const downloads = el("nav", { id: "monthly-downloads", class: "monthly-downloads", "aria-label": "download the report" });
  const status = el("p", { id: "monthly-status", class: "monthly-status", role: "status" }, "Loading…");
  const figures = el("div", { class: "monthly-figures-wrap", tabindex: "0", "aria-label": "figures" });
  const charts = el("div", { id: "monthly-chart", class: "monthly-charts", "aria-label": "monthly series" });
  panel.classList.add("monthly-panel");
  panel.append(
    el("h2", { id: "monthly-title" }, "Monthly activity report"),
    el("form", { class: "monthly-controls", "aria-labelledby": "monthly-title" },
      el("label", { for: "monthly-month" }, "Month", month), refresh, downloads),
    status,
    figures,
    charts,
  );
  panel.querySelector("form").addEventListener("submit", (event) => event.preventDefault());

  let current = "";
  let latest = []; // the history up to the firm's current month: every month available
  let removeCharts = () => {};
  let shown = 0;

  async function loadMonths() {
    current = await currentMonth();
    const report = await api("GET", MONTH, undefined, { query: { month: current } });
    latest = report.history;
    const months = report.history.filter((entry) => entry.sessions !== null).map((entry) => entry.period).reverse();
    const chosen = month.value;
    month.replaceChildren(
      ...months.map((period) => el("option", { value: period }, period === current ? `${monthName(period)} (to date)` : monthName(period))),
    );
    // The latest month that has ended is the report staff read; the month under way otherwise.
    month.value = months.includes(chosen) ? chosen : months.find((period) => period !== current) || months[0] || "";
    month.disabled = months.length === 0;
    return months;
  }

  function links(period) {
    downloads.replaceChildren(
      ...DOWNLOADS.map(([format, label, suffix]) =>
        el("a", {
          href: `${MONTH}?month=${encodeURIComponent(period)}&format=${format}`,
          download: `monthly-${period}.${suffix}`,
          class: "download",
        }, label),
      ),
    );
  }

  async function loadReport() {
    const ticket = ++shown;
    const period = month.value;
    if (!period) {
      status.textContent = "The firm has no month of books yet.";
      return;
    }
    const report = await api("GET", MONTH, undefined, { query: { month: period } });
    if (ticket !== shown) return;
    links(period);
    figures.replaceChildren(figuresTable(report));
    status.textContent = `${monthName(period)}${period === current ? " (to date)" : ""}. ${footnote(report)}`;
    removeCharts();
    removeCharts = () => {};
    // The series across every month available, and the months before the one picked when it
    // is over a year old.
    const byMonth = new Map([...report.history, ...latest].map((entry) => [entry.period, entry]));
    const history = [...byMonth.values()]
      .filter((entry) => entry.sessions !== null)
      .sort((a, b) => a.period.localeCompare(b.period));
    const remove = await drawCharts(charts, history);
    if (ticket !== shown) remove(); // another month was picked while these were drawn
    else removeCharts = remove;
  }

  async function update(reloadMonths) {
    try {
      if (reloadMonths) await loadMonths();
      await loadReport();
    } catch (error) {
      status.textContent = `Monthly report unavailable: ${failure(error)}`;
    }
  }

  month.addEventListener("change", () => update(false));
  refresh.addEventListener("click", () => update(true));
  await update(true);
}
