// The kill switch: what is engaged (firm-wide, by account, by symbol), tripping one with a
// confirm step, resetting it, and the state strip every section shows under the header
// (calm when nothing is engaged, a loud red banner when anything is). The switches are
// polled; any staff member may read them, risk and operations staff may change them.

import { api } from "../common/api.js";
import { el } from "../common/format.js";
import { notify } from "../common/shell.js";
import { chip, confirmAction, emptyRow, errorLine, field, input, select, showFailure, table, when } from "./forms.js";

const POLL_MS = 3000;
const listeners = new Set();
let engaged = [];
let loaded = false;
let timer = 0;

/** Reads the switches now and tells every view. */
export async function refreshSwitches() {
  clearTimeout(timer);
  try {
    engaged = await api("GET", "/v1/firm/kill-switches");
    loaded = true;
    for (const listener of listeners) listener(engaged, null);
  } catch (error) {
    for (const listener of listeners) listener(engaged, error);
  } finally {
    timer = setTimeout(refreshSwitches, POLL_MS);
  }
}

function describe(item) {
  if (item.scope === "firm") return "Firm-wide: all customer trading is stopped";
  if (item.scope === "account") return `Account ${item.target}: its trading is stopped`;
  return `Symbol ${item.target}: trading in it is stopped`;
}

/** The strip under the header: the switches' state, and a way to the kill switch section. */
export function mountFirmState(strip, showSection) {
  listeners.add((items, error) => {
    if (error && !loaded) {
      strip.className = "firm-state unknown";
      strip.replaceChildren(el("span", { class: "state-dot" }), `Kill switch state unknown: ${error.message}`);
      return;
    }
    if (!items.length) {
      strip.className = "firm-state calm";
      strip.replaceChildren(el("span", { class: "state-dot" }), el("span", { id: "ks-state" }, "Trading enabled · no kill switch engaged"));
      return;
    }
    const firm = items.some((item) => item.scope === "firm");
    strip.className = `firm-state tripped${firm ? " firm" : ""}`;
    strip.replaceChildren(
      el(
        "div",
        { id: "ks-banner", class: "banner", role: "alert" },
        el("strong", {}, firm ? "KILL SWITCH ENGAGED · FIRM-WIDE TRADING HALT" : `KILL SWITCH ENGAGED · ${items.length} ${items.length === 1 ? "switch" : "switches"}`),
        el("ul", {}, ...items.map((item) =>
          el("li", {}, describe(item), item.reason ? ` — “${item.reason}”` : "", el("span", { class: "muted" }, ` by ${item.changed_by || "?"} at ${when(item.changed_at)}`)),
        )),
        el("button", { type: "button", class: "banner-go", onclick: () => showSection("killswitch") }, "Review"),
      ),
    );
  });
}

/** The kill switch section. */
export function mountKillSwitch(panel, can) {
  const grid = table(
    [{ label: "Scope" }, { label: "Target" }, { label: "Reason" }, { label: "Engaged by" }, { label: "At" }, { label: "" }],
    "Engaged kill switches",
  );
  const scope = select("scope", [["firm", "Firm-wide"], ["account", "One account"], ["symbol", "One symbol"]], { id: "ks-scope" });
  const target = input("target", { id: "ks-target", placeholder: "account id or symbol", disabled: true, maxlength: "64" });
  const reason = input("reason", { id: "ks-reason", placeholder: "why (kept in the audit trail)", maxlength: "256" });
  const trip = el("button", { type: "submit", id: "ks-trip", class: "danger" }, "Trip kill switch…");
  const error = errorLine();
  const form = el(
    "form",
    { class: "form-row", id: "ks-form", "aria-label": "Trip a kill switch" },
    field("Scope", scope),
    field("Target", target),
    field("Reason", reason, ""),
    trip,
  );
  scope.addEventListener("change", () => {
    target.disabled = scope.value === "firm";
    target.placeholder = scope.value === "symbol" ? "symbol, e.g. AAPL" : scope.value === "account" ? "account id" : "whole firm";
    if (target.disabled) target.value = "";
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFailure(error, form, null);
    const body = { scope: scope.value, engaged: true, reason: reason.value.trim() };
    if (scope.value !== "firm") body.target = target.value.trim();
    const whom = scope.value === "firm" ? "ALL customer trading at the firm" : `trading ${scope.value === "account" ? "in account" : "in"} ${body.target || "(no target)"}`;
    const ok = await confirmAction({
      title: "Trip the kill switch?",
      body: [el("p", {}, "This stops ", el("strong", {}, whom), " at once: new orders are refused and its working orders are canceled."),
        body.reason ? el("p", { class: "muted" }, `Reason: ${body.reason}`) : el("p", { class: "muted" }, "No reason given.")],
      action: "Trip kill switch",
      danger: true,
    });
    if (!ok) return;
    try {
      await api("PUT", "/v1/firm/kill-switch", body);
      notify(`Kill switch engaged: ${scope.value}${body.target ? ` ${body.target}` : ""}`, "ok");
      reason.value = "";
      await refreshSwitches();
    } catch (failure) {
      showFailure(error, form, failure);
    }
  });

  async function reset(item) {
    const ok = await confirmAction({
      title: "Reset the kill switch?",
      body: el("p", {}, `${describe(item).split(":")[0]}: trading resumes for new orders.`),
      action: "Reset",
    });
    if (!ok) return;
    const body = { scope: item.scope, engaged: false };
    if (item.target) body.target = item.target;
    try {
      await api("PUT", "/v1/firm/kill-switch", body);
      notify(`Kill switch reset: ${item.scope}${item.target ? ` ${item.target}` : ""}`, "ok");
      await refreshSwitches();
    } catch (failure) {
      showFailure(error, null, failure);
    }
  }

  const summary = el("div", { class: "ks-summary", id: "ks-summary" });
  const tile = (label, value, bad) => el("div", { class: `tile ${bad ? "bad" : "good"}` }, el("span", { class: "tile-label" }, label), el("span", { class: "tile-value" }, value));
  listeners.add((items) => {
    const count = (scope) => items.filter((item) => item.scope === scope).length;
    const firm = count("firm") > 0;
    summary.replaceChildren(
      tile("Firm", firm ? "HALTED" : "Trading", firm),
      tile("Accounts stopped", String(count("account")), count("account") > 0),
      tile("Symbols stopped", String(count("symbol")), count("symbol") > 0),
    );
    grid.body.replaceChildren(
      ...(items.length
        ? items.map((item) =>
          el("tr", { class: "tripped-row" },
            el("td", {}, chip(item.scope, "bad")),
            el("td", {}, item.target || "—"),
            el("td", {}, item.reason || ""),
            el("td", {}, item.changed_by || ""),
            el("td", {}, when(item.changed_at)),
            el("td", { class: "num" }, can.killSwitch
              ? el("button", { type: "button", class: "primary ks-reset", "aria-label": `Reset the ${item.scope} kill switch ${item.target || ""}`.trim(), onclick: () => reset(item) }, "Reset")
              : null),
          ))
        : [emptyRow(grid.columns, "No kill switch is engaged. Customer trading runs normally.")]),
    );
  });

  panel.append(
    el("div", { class: "panel-head" }, el("h2", {}, "Kill switch"), el("span", { class: "muted" }, "Stops customer trading firm-wide, for one account or for one symbol.")),
    summary,
    el("h3", {}, "Engaged"),
    grid.node,
    can.killSwitch
      ? el("div", { class: "card danger-zone" }, el("h3", {}, "Trip a kill switch"), form, error)
      : el("p", { class: "muted role-note" }, "Your roles let you watch the kill switch; tripping and resetting it needs the risk or operations role."),
  );
}

/** Be told of every read of the switches: `(items, error)`. */
export function watchSwitches(listener) {
  listeners.add(listener);
}
