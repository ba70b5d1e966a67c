// Risk limits: the firm's pre-trade limits (SEC 15c3-5), an account's own limits and the
// house maintenance margin by symbol. Money limits are kept by the server in $0.0001 units
// and the duplicate window in nanoseconds; they are shown and typed in dollars and
// milliseconds, converted on the decimal text (exact). 0 means "no limit". Anyone on staff
// may read; changes need the risk role, and the server's refusal is shown as it words it.

import { api } from "../common/api.js";
import { el } from "../common/format.js";
import { notify } from "../common/shell.js";
import { emptyRow, errorLine, field, fromUnits, input, showFailure, table, toUnits, when } from "./forms.js";

const ACCOUNT_FIELDS = [
  { name: "max_order_quantity", label: "Max order quantity", unit: "shares", places: 0 },
  { name: "max_order_notional", label: "Max order notional", unit: "USD", places: 4 },
  { name: "credit_limit", label: "Credit limit", unit: "USD", places: 4 },
  { name: "max_daily_loss", label: "Max daily loss", unit: "USD", places: 4 },
  { name: "max_orders_per_second", label: "Max orders / second", unit: "orders", places: 0 },
  { name: "collar_bps", label: "Price collar", unit: "bps", places: 0 },
];
const FIRM_FIELDS = [
  ...ACCOUNT_FIELDS,
  { name: "duplicate_window_ns", label: "Duplicate window", unit: "ms", places: 6 },
  { name: "market_buffer_bps", label: "Market order buffer", unit: "bps", places: 0 },
];

function limitsForm(id, fields, editable, save) {
  const inputs = fields.map((f) => input(f.name, { id: `${id}-${f.name}`, inputmode: f.places ? "decimal" : "numeric", readonly: !editable, placeholder: "0 = no limit" }));
  const error = errorLine();
  const stamp = el("p", { class: "muted stamp" });
  const button = editable ? el("button", { type: "submit", class: "primary" }, "Save limits") : null;
  const form = el("form", { id, class: "limits-grid", "aria-label": id.replaceAll("-", " ") },
    ...fields.map((f, i) => field(`${f.label} (${f.unit})`, inputs[i])), el("div", { class: "actions" }, button));
  let shown = {};
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFailure(error, form, null);
    const body = {};
    fields.forEach((f, i) => {
      // Only what was changed goes to the server (the rest keeps its value there).
      if (inputs[i].value.trim() !== shown[f.name]) body[f.name] = toUnits(inputs[i].value, f.places);
    });
    if (!Object.keys(body).length) { notify("Nothing changed", "info"); return; }
    try {
      fill(await save(body));
      notify("Limits saved", "ok");
    } catch (failure) {
      showFailure(error, form, failure);
    }
  });
  function fill(view) {
    shown = {};
    fields.forEach((f, i) => {
      const value = f.name === "duplicate_window_ns" ? fromUnits(view[f.name], f.places) : fromUnits(view[f.name], f.places);
      inputs[i].value = value;
      shown[f.name] = value;
    });
    stamp.textContent = view.changed_by ? `Last changed by ${view.changed_by} at ${when(view.changed_at)}` : "Never changed (defaults)";
  }
  return { node: el("div", {}, form, error, stamp), fill, form };
}

export function mountLimits(panel, can) {
  panel.append(el("div", { class: "panel-head" }, el("h2", {}, "Risk limits"),
    el("span", { class: "muted" }, can.editLimits ? "Pre-trade limits checked on every order. 0 means no limit." : "Read only: changing limits needs the risk role.")));
  const firm = limitsForm("firm-limits", FIRM_FIELDS, can.editLimits, (body) => api("PUT", "/v1/firm/limits", body));

  const accountInput = input("account", { id: "acct-limits-account", placeholder: "account id, e.g. DEMO-1", list: "known-accounts" });
  const known = el("datalist", { id: "known-accounts" });
  let accountId = "";
  const account = limitsForm("account-limits", ACCOUNT_FIELDS, can.editLimits, (body) => api("PUT", `/v1/firm/accounts/${encodeURIComponent(accountId)}/limits`, body));
  const accountError = errorLine();
  const accountTitle = el("h4", {});
  const accountBox = el("div", { hidden: true }, accountTitle, account.node);
  const pick = el("form", { class: "form-row compact", "aria-label": "Choose an account" },
    field("Account", accountInput), known, el("button", { type: "submit" }, "Show limits"), accountError);
  pick.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFailure(accountError, pick, null);
    accountId = accountInput.value.trim();
    if (!accountId) return;
    try {
      account.fill(await api("GET", `/v1/firm/accounts/${encodeURIComponent(accountId)}/limits`));
      accountTitle.textContent = `Limits of ${accountId}`;
      accountBox.hidden = false;
    } catch (failure) {
      showFailure(accountError, pick, failure);
    }
  });

  const margin = table([{ label: "Symbol" }, { label: "Maintenance", num: true }, { label: "Changed by" }, { label: "At" }, { label: "" }], "House margin");
  const marginError = errorLine();
  const marginForm = el("form", { class: "form-row", id: "margin-form", "aria-label": "Set a house requirement" },
    field("Symbol", input("symbol", { placeholder: "GME" })),
    field("Maintenance (bps of value)", input("maintenance_bps", { inputmode: "numeric", placeholder: "5000 = 50%" })),
    el("button", { type: "submit" }, "Set requirement"));
  async function setMargin(symbol, bps) {
    showFailure(marginError, marginForm, null);
    try {
      drawMargin(await api("PUT", `/v1/firm/house-margin/${encodeURIComponent(symbol)}`, { maintenance_bps: toUnits(bps, 0) }));
      notify(`House requirement for ${symbol.toUpperCase()} ${String(bps) === "0" ? "removed" : "set"}`, "ok");
      marginForm.reset();
    } catch (failure) {
      showFailure(marginError, marginForm, failure);
    }
  }
  marginForm.addEventListener("submit", (event) => {
    event.preventDefault();
    setMargin(marginForm.symbol.value.trim(), marginForm.maintenance_bps.value.trim());
  });
  function drawMargin(rows) {
    margin.body.replaceChildren(...(rows.length ? rows.map((r) => el("tr", {},
      el("td", {}, r.symbol), el("td", { class: "num" }, `${fromUnits(r.maintenance_bps, 2)}%`), el("td", {}, r.changed_by), el("td", {}, when(r.changed_at)),
      el("td", { class: "num" }, can.editLimits ? el("button", { type: "button", "aria-label": `Remove the house requirement for ${r.symbol}`, onclick: () => setMargin(r.symbol, "0") }, "Remove") : null)))
      : [emptyRow(margin.columns, "No house requirements: the standard maintenance applies.")]));
  }

  panel.append(
    el("div", { class: "columns" },
      el("div", { class: "card" }, el("h3", {}, "Firm limits"), firm.node),
      el("div", { class: "card" }, el("h3", {}, "Account limits"), el("p", { class: "muted" }, "The tighter of the account's and the firm's limit applies; 0 leaves the firm's."), pick, accountBox)),
    el("div", { class: "card" }, el("h3", {}, "House margin by symbol"), margin.node, can.editLimits ? marginForm : null, marginError),
  );

  async function refresh() {
    try {
      firm.fill(await api("GET", "/v1/firm/limits"));
      drawMargin(await api("GET", "/v1/firm/house-margin"));
      const onboarded = await api("GET", "/v1/accounts", undefined, { query: { status: "ACTIVE" } }).catch(() => []);
      known.replaceChildren(...onboarded.map((a) => el("option", { value: a.id }, a.account_number)));
    } catch (failure) {
      notify(`Limits: ${failure.message}`, "error");
    }
  }
  return { refresh };
}
