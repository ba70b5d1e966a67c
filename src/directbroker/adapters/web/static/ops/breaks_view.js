// How a day's reconciliation breaks read: the codes in words, values as the back office wrote
// them (exact decimal strings, grouped for reading only), and the ageing colours operations
// works by (amber from three business days open, red from five).

import { el } from "../common/format.js";

/** The break codes of ADR 0027, in the back office's report order, with what each means. */
export const KINDS = [
  ["MISSING_AT_CLEARING", "Missing at clearing"],
  ["UNKNOWN_AT_CLEARING", "Unknown at clearing"],
  ["DUPLICATE_AT_CLEARING", "Duplicate at clearing"],
  ["PRICE_MISMATCH", "Price mismatch"],
  ["QUANTITY_MISMATCH", "Quantity mismatch"],
  ["ACCOUNT_MISMATCH", "Account mismatch"],
  ["AMOUNT_MISMATCH", "Amount mismatch"],
  ["POSITION_BREAK", "Position break"],
  ["CASH_BREAK", "Cash break"],
];
const KIND_NAMES = new Map(KINDS);

export function kindName(code) {
  return KIND_NAMES.get(code) || code;
}

/** "1234567.5000" as "1,234,567.5000": grouping on the string, so no digit is lost. */
export function grouped(value) {
  if (value === null || value === undefined) return "";
  const text = String(value);
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (!match) return text;
  return match[1] + match[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (match[3] || "");
}

/** A break's value in its unit: dollars for price and cash, a count of shares or bookings. */
export function valueText(unit, value) {
  if (unit === "price" || unit === "cash") {
    const text = grouped(value);
    return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
  }
  return grouped(value);
}

/** The ageing class of a break open ``days`` business days. */
export function ageClass(days) {
  if (days >= 5) return "age-red";
  if (days >= 3) return "age-amber";
  return "";
}

function accountText(row) {
  return row.other_account ? `${row.account} → ${row.other_account}` : row.account;
}

function remark(row) {
  const parts = [row.message];
  if (row.carried) parts.push("carried from an earlier day");
  if (!row.explained) parts.push("unexplained");
  if (row.note) parts.push(row.note);
  return parts.filter(Boolean).join("; ");
}

export const COLUMNS = [
  "Kind", "Account", "Symbol", "Reference", "Ours", "Theirs", "Difference", "First seen", "Age",
  "Status", "Remarks",
];
const TITLES = { Difference: "theirs less ours", Age: "business days open" };

/** The header row (with what the less obvious columns mean). */
export function headRow() {
  return el("tr", {}, ...COLUMNS.map((name) => el("th", { scope: "col", title: TITLES[name] }, name)));
}

/** One table row of a break; each cell names its column (the phone layout shows it). */
export function breakRow(row) {
  const age = Number(row.age_days);
  const tone = row.status === "open" ? ageClass(age) : "resolved";
  const status = row.status === "open" ? (row.explained ? "open" : "open, unexplained") : "resolved";
  const cells = [
    [kindName(row.code), { title: row.code }],
    [accountText(row)],
    [row.symbol || ""],
    [row.reference || "", { class: "ref", title: row.reference }],
    [valueText(row.unit, row.ours), { class: "num" }],
    [valueText(row.unit, row.theirs), { class: "num" }],
    [valueText(row.unit, row.difference), { class: "num" }],
    [row.first_seen],
    [`${age}d`, { class: "num age" }],
    [status],
    [remark(row), { class: "remark" }],
  ];
  return el(
    "tr",
    { class: tone, dataset: { code: row.code, status: row.status, age: String(age) } },
    ...cells.map(([text, attributes], index) => el("td", { ...(attributes || {}), dataset: { label: COLUMNS[index] } }, text)),
  );
}

/** The totals by kind of the rows shown, as a short list. */
export function totalsList(totals) {
  const entries = KINDS.filter(([code]) => totals[code]).map(([code, name]) =>
    el("li", { dataset: { code } }, el("span", {}, name), " ", el("strong", {}, String(totals[code]))),
  );
  return el("ul", { id: "breaks-totals", class: "breaks-totals", "aria-label": "breaks by kind" }, ...entries);
}
