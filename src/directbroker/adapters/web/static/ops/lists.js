// The restricted list (customers may not trade these symbols), the easy-to-borrow list
// (short sales need no locate) and today's locates. Any staff member may read them;
// compliance keeps the lists, compliance or operations record locates.

import { api } from "../common/api.js";
import { el, quantity } from "../common/format.js";
import { notify } from "../common/shell.js";
import { confirmAction, emptyRow, errorLine, field, input, showFailure, table, when } from "./forms.js";

export function mountLists(panel, can) {
  panel.append(el("div", { class: "panel-head" }, el("h2", {}, "Restricted and easy-to-borrow lists"),
    el("span", { class: "muted" }, can.editLists ? "Changes apply to the next order at once." : "Read only: keeping the lists needs the compliance role.")));

  // --- restricted ------------------------------------------------------------------------
  const restricted = table([{ label: "Symbol" }, { label: "Reason" }, { label: "Added by" }, { label: "At" }, { label: "" }], "Restricted list");
  const restrictError = errorLine();
  const restrictForm = el("form", { class: "form-row", id: "restrict-form", "aria-label": "Restrict a symbol" },
    field("Symbol", input("symbol", { id: "restrict-symbol", placeholder: "TSLA", required: true, maxlength: "12" })),
    field("Reason", input("reason", { id: "restrict-reason", placeholder: "e.g. MNPI, pending deal", maxlength: "256" })),
    el("button", { type: "submit", id: "restrict-add" }, "Restrict"));
  restrictForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFailure(restrictError, restrictForm, null);
    const symbol = restrictForm.symbol.value.trim();
    try {
      drawRestricted(await api("PUT", `/v1/firm/restricted/${encodeURIComponent(symbol)}`, { reason: restrictForm.reason.value.trim() }));
      notify(`${symbol.toUpperCase()} is restricted: customer orders in it are refused`, "ok");
      restrictForm.reset();
    } catch (failure) {
      showFailure(restrictError, restrictForm, failure);
    }
  });
  async function lift(symbol) {
    const ok = await confirmAction({ title: `Lift the restriction on ${symbol}?`, body: el("p", {}, "Customers may trade it again."), action: "Lift restriction" });
    if (!ok) return;
    try {
      drawRestricted(await api("DELETE", `/v1/firm/restricted/${encodeURIComponent(symbol)}`));
      notify(`${symbol} removed from the restricted list`, "ok");
    } catch (failure) {
      showFailure(restrictError, null, failure);
    }
  }
  function drawRestricted(rows) {
    restricted.body.replaceChildren(...(rows.length ? rows.map((r) => el("tr", { dataset: { symbol: r.symbol } },
      el("td", { class: "symbol" }, r.symbol), el("td", {}, r.reason || ""), el("td", {}, r.changed_by), el("td", {}, when(r.changed_at)),
      el("td", { class: "num" }, can.editLists ? el("button", { type: "button", "aria-label": `Lift the restriction on ${r.symbol}`, onclick: () => lift(r.symbol) }, "Remove") : null)))
      : [emptyRow(restricted.columns, "No restricted symbols.")]));
  }

  // --- easy to borrow --------------------------------------------------------------------
  const etb = table([{ label: "Symbol" }, { label: "Added by" }, { label: "At" }, { label: "" }], "Easy-to-borrow list");
  const etbError = errorLine();
  const etbForm = el("form", { class: "form-row", id: "etb-form", "aria-label": "Add to the easy-to-borrow list" },
    field("Symbol", input("symbol", { id: "etb-symbol", placeholder: "AAPL", required: true, maxlength: "12" })),
    el("button", { type: "submit" }, "Add"));
  async function setEtb(symbol, add) {
    showFailure(etbError, etbForm, null);
    try {
      drawEtb(await api(add ? "PUT" : "DELETE", `/v1/firm/easy-to-borrow/${encodeURIComponent(symbol)}`));
      notify(`${symbol.toUpperCase()} ${add ? "added to" : "removed from"} the easy-to-borrow list`, "ok");
      if (add) etbForm.reset();
    } catch (failure) {
      showFailure(etbError, etbForm, failure);
    }
  }
  etbForm.addEventListener("submit", (event) => { event.preventDefault(); setEtb(etbForm.symbol.value.trim(), true); });
  function drawEtb(rows) {
    etb.body.replaceChildren(...(rows.length ? rows.map((r) => el("tr", {},
      el("td", { class: "symbol" }, r.symbol), el("td", {}, r.changed_by), el("td", {}, when(r.changed_at)),
      el("td", { class: "num" }, can.editLists ? el("button", { type: "button", "aria-label": `Remove ${r.symbol} from the easy-to-borrow list`, onclick: () => setEtb(r.symbol, false) }, "Remove") : null)))
      : [emptyRow(etb.columns, "Empty: every short sale needs a locate.")]));
  }

  // --- locates ---------------------------------------------------------------------------
  const locates = table([{ label: "Account" }, { label: "Symbol" }, { label: "Located", num: true }, { label: "Locate ids" }, { label: "By" }, { label: "At" }], "Locates today");
  const locateError = errorLine();
  const locateForm = el("form", { class: "form-row", id: "locate-form", "aria-label": "Record a locate" },
    field("Account", input("account", { placeholder: "DEMO-1", required: true })),
    field("Symbol", input("symbol", { placeholder: "GME", required: true, maxlength: "12" })),
    field("Shares", input("quantity", { inputmode: "numeric", required: true })),
    field("Locate id", input("locate_id", { placeholder: "from the lender (optional)" })),
    el("button", { type: "submit" }, "Record locate"));
  locateForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFailure(locateError, locateForm, null);
    const body = { account: locateForm.account.value.trim(), symbol: locateForm.symbol.value.trim(), quantity: Number.isSafeInteger(Number(locateForm.quantity.value)) && locateForm.quantity.value.trim() !== "" ? Number(locateForm.quantity.value) : locateForm.quantity.value };
    if (locateForm.locate_id.value.trim()) body.locate_id = locateForm.locate_id.value.trim();
    try {
      const made = await api("POST", "/v1/firm/locates", body);
      notify(`Locate ${made.locate_id}: ${quantity(made.quantity)} ${made.symbol} for ${made.account} (${quantity(made.located_today)} today)`, "ok");
      locateForm.reset();
      drawLocates(await api("GET", "/v1/firm/locates"));
    } catch (failure) {
      showFailure(locateError, locateForm, failure);
    }
  });
  function drawLocates(rows) {
    locates.body.replaceChildren(...(rows.length ? rows.map((r) => el("tr", {},
      el("td", {}, r.account), el("td", { class: "symbol" }, r.symbol), el("td", { class: "num" }, quantity(r.quantity)),
      el("td", { class: "ids" }, r.locate_ids.join(", ")), el("td", {}, r.changed_by), el("td", {}, when(r.changed_at))))
      : [emptyRow(locates.columns, "No locates recorded today.")]));
  }

  panel.append(
    el("div", { class: "columns" },
      el("div", { class: "card" }, el("h3", {}, "Restricted list"), restricted.node, can.editLists ? restrictForm : null, restrictError),
      el("div", { class: "card" }, el("h3", {}, "Easy-to-borrow list"), el("div", { class: "scroll" }, etb.node), can.editLists ? etbForm : null, etbError)),
    el("div", { class: "card" }, el("h3", {}, "Locates today"), locates.node, can.recordLocates ? locateForm : null, locateError),
  );

  async function refresh() {
    try {
      const [r, e, l] = await Promise.all([api("GET", "/v1/firm/restricted"), api("GET", "/v1/firm/easy-to-borrow"), api("GET", "/v1/firm/locates")]);
      drawRestricted(r);
      drawEtb(e);
      drawLocates(l);
    } catch (failure) {
      notify(`Lists: ${failure.message}`, "error");
    }
  }
  return { refresh };
}
