// The monthly activity report's figures as a table: each figure this month, a year and a
// month earlier, and the changes, as GET /v1/reports/monthly sends them (exact decimal strings
// for money; changes as one-decimal percentages; null where there is nothing to compare).

import { el, money, quantity } from "../common/format.js";

export const FIGURES = [
  ["customer_accounts", "Customer accounts"],
  ["new_accounts", "New accounts"],
  ["trades", "Trades processed"],
  ["darts", "Daily average revenue trades"],
  ["shares", "Shares traded"],
  ["customer_assets", "Customer assets"],
  ["net_new_assets", "Net new assets"],
];
const MONEY = new Set(["customer_assets", "net_new_assets"]);

/** "2026-05" as "May 2026". */
export function monthName(period) {
  const [year, month] = period.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, 1)).toLocaleString("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
}

function shown(name, value) {
  if (value === null || value === undefined) return "n/a";
  if (MONEY.has(name)) return money(value);
  return quantity(value);
}

function change(percent) {
  if (percent === null || percent === undefined) return el("td", { class: "num muted" }, "n/a");
  const number = Number(percent);
  const tone = number > 0 ? "up" : number < 0 ? "down" : "";
  return el("td", { class: `num ${tone}` }, `${number > 0 ? "+" : ""}${percent}%`);
}

/** The figures table of a report. */
export function figuresTable(report) {
  const head = el(
    "tr",
    {},
    el("th", { scope: "col" }, "Figure"),
    el("th", { scope: "col", class: "num" }, monthName(report.period)),
    el("th", { scope: "col", class: "num context" }, monthName(report.year_ago.period)),
    el("th", { scope: "col", class: "num" }, "Year over year"),
    el("th", { scope: "col", class: "num context" }, monthName(report.prior.period)),
    el("th", { scope: "col", class: "num" }, "Month over month"),
  );
  const rows = FIGURES.map(([name, label]) =>
    el(
      "tr",
      { dataset: { figure: name } },
      el("th", { scope: "row" }, label),
      el("td", { class: "num" }, shown(name, report.figures[name])),
      el("td", { class: "num context" }, shown(name, report.year_ago[name])),
      change(report.changes[name]?.year),
      el("td", { class: "num context" }, shown(name, report.prior[name])),
      change(report.changes[name]?.month),
    ),
  );
  return el(
    "table",
    { id: "monthly-figures", class: "monthly-figures" },
    el("caption", {}, `Monthly activity, ${monthName(report.period)}`),
    el("thead", {}, head),
    el("tbody", {}, ...rows),
  );
}

/** What the month's figures rest on: its sessions, and whether a business day has closed. */
export function footnote(report) {
  const figures = report.figures;
  if (figures.sessions === null) return "The firm had no books in this month.";
  const parts = [`${figures.sessions} trading sessions in the month.`];
  if (figures.customer_assets === null) parts.push("No business day of the month has closed yet.");
  return parts.join(" ");
}
