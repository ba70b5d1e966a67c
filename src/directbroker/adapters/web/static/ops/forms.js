// Small pieces the console's forms share: labelled inputs, an error line that shows the
// server's own words (and marks the fields it names), exact decimal <-> integer unit
// conversion done on the text (never through a binary float), and the confirm dialog.

import { el } from "../common/format.js";

/** A labelled control: the label wraps its text and the input (so it is always named). */
export function field(text, input, hint = "") {
  return el("label", { class: "field" }, el("span", {}, text), input, hint ? el("small", { class: "muted" }, hint) : null);
}

export function input(name, attributes = {}) {
  return el("input", { name, id: attributes.id, autocomplete: "off", spellcheck: "false", ...attributes });
}

export function select(name, options, attributes = {}) {
  return el("select", { name, ...attributes }, ...options.map(([value, text]) => el("option", { value }, text)));
}

/** The error line of a form (role=alert so a screen reader says it). */
export function errorLine() {
  return el("p", { class: "form-error", role: "alert" });
}

/**
 * Shows a failure in `line` in the server's words and marks the inputs of `form` whose
 * names the message mentions ("max_order_quantity: Input should be ..."); clears with null.
 */
export function showFailure(line, form, error) {
  for (const control of form ? form.querySelectorAll("[aria-invalid]") : []) control.removeAttribute("aria-invalid");
  if (!error) {
    line.textContent = "";
    return;
  }
  const code = error.code ? ` (${error.code})` : "";
  line.textContent = `${error.message || String(error)}${code}`;
  if (!form) return;
  const text = String(error.message || "");
  for (const control of form.querySelectorAll("[name]")) {
    if (control.name && new RegExp(`\\b${control.name}\\b`).test(text)) control.setAttribute("aria-invalid", "true");
  }
}

/**
 * Decimal text to integer units with `places` decimals ("12.5", 4 -> 125000). Text that is
 * not a plain decimal is returned as typed, so the server refuses it in its own words.
 */
export function toUnits(text, places) {
  const typed = String(text).trim().replaceAll(",", "");
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(typed);
  if (!match || (match[2] === "" && !match[3])) return typed;
  const fraction = match[3] || "";
  if (fraction.length > places && /[1-9]/.test(fraction.slice(places))) return typed;
  const digits = `${match[2] || "0"}${fraction.slice(0, places).padEnd(places, "0")}`.replace(/^0+(?=\d)/, "");
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) return typed;
  return match[1] ? -value : value;
}

/** Integer units back to decimal text with `places` decimals, trailing zeros dropped. */
export function fromUnits(units, places) {
  if (units === null || units === undefined) return "";
  const negative = Number(units) < 0;
  const digits = String(Math.abs(Number(units))).padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** A timestamp as "Nov 30 14:30:15" (local), for audit columns. */
export function when(iso) {
  if (!iso) return "";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return String(iso);
  return at.toLocaleString("en-US", { month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}

/** A status as a coloured chip. */
export function chip(status, tone = "") {
  const text = String(status || "").replaceAll("_", " ");
  return el("span", { class: `chip ${tone || toneOf(status)}` }, text.toLowerCase());
}

function toneOf(status) {
  const value = String(status || "").toUpperCase();
  if (["ACTIVE", "APPROVED", "COMPLETE", "EXECUTED"].includes(value)) return "good";
  if (["REJECTED", "RETURNED", "CANCELED", "ACCOUNT_CLOSED", "FAILED"].includes(value)) return "bad";
  if (["ACTION_REQUIRED", "APPROVAL_PENDING"].includes(value)) return "warn";
  return "neutral";
}

/**
 * Asks before a consequential action: a modal dialog with the question, details, optional
 * extra fields and the action's button. Escape or Cancel answers false; Enter confirms.
 */
export function confirmAction({ title, body, action, danger = false, extra = null }) {
  const dialog = document.getElementById("confirm");
  return new Promise((resolve) => {
    const cancel = el("button", { type: "button", id: "confirm-cancel" }, "Cancel");
    const go = el("button", { type: "submit", id: "confirm-ok", class: danger ? "danger" : "primary" }, action);
    const form = el(
      "form",
      { method: "dialog" },
      el("h3", { id: "confirm-title" }, title),
      el("div", { class: "confirm-body" }, body),
      extra,
      el("div", { class: "actions" }, cancel, go),
    );
    let answer = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      answer = true;
      dialog.close();
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => resolve(answer), { once: true });
    dialog.replaceChildren(form);
    dialog.showModal();
    (extra && extra.querySelector("input, select, textarea") ? extra.querySelector("input, select, textarea") : cancel).focus();
  });
}

/** A table with a header row and a body to fill; `empty` is shown when it has no rows. */
export function table(columns, label) {
  const body = el("tbody");
  const node = el(
    "table",
    { "aria-label": label },
    el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", { class: c.num ? "num" : "", scope: "col" }, c.label)))),
    body,
  );
  return { node, body, columns: columns.length };
}

export function emptyRow(columns, text) {
  return el("tr", { class: "empty" }, el("td", { colspan: String(columns), class: "muted" }, text));
}
