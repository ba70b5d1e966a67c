// Configurable hotkeys. The bindings live in localStorage ("trader.hotkeys") and are edited
// in a small dialog where each action's field records the next key combination pressed.
// Hotkeys never fire while the focus is in a text field, select or dialog (typing "B" in
// the quantity box must not buy), except function keys, which type nothing.

import { api } from "../common/api.js";
import { el } from "../common/format.js";
import { failure, notify } from "../common/shell.js";
import { quoteOf, selectedSymbol } from "./market.js";
import { allPositions, flatten, positionOf, refreshPositions } from "./positions.js";
import { chosenRoute, defaultQty, focusTicket, placeOrder } from "./ticket.js";

const STORE = "trader.hotkeys";
const ACTIONS = [
  { id: "buyAsk", label: "Buy at the ask (limit, default size, chosen route)", key: "Shift+B", run: () => atTouch("buy") },
  { id: "sellBid", label: "Sell at the bid (limit, default size, chosen route)", key: "Shift+S", run: () => atTouch("sell") },
  { id: "cancelAll", label: "Cancel all open orders", key: "Shift+C", run: cancelAll },
  { id: "flatten", label: "Flatten the selected symbol (or everything, after a confirm)", key: "Shift+F", run: flattenSelected },
  { id: "focusTicket", label: "Focus the order ticket", key: "F2", run: focusTicket },
];
let bindings = {};
let dialog = null;

function load() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(STORE) || "{}") || {};
  } catch {
    saved = {};
  }
  bindings = Object.fromEntries(ACTIONS.map((action) => [action.id, saved[action.id] || action.key]));
}

/** "Shift+B", "Ctrl+Alt+K", "F2": a key event as a binding. */
export function combo(event) {
  const key = event.key.length === 1 ? event.key.toUpperCase() : event.key;
  if (["Shift", "Control", "Alt", "Meta"].includes(key)) return "";
  const parts = [];
  if (event.ctrlKey) parts.push("Ctrl");
  if (event.altKey) parts.push("Alt");
  if (event.shiftKey) parts.push("Shift");
  if (event.metaKey) parts.push("Meta");
  parts.push(key === " " ? "Space" : key);
  return parts.join("+");
}

async function atTouch(side) {
  const symbol = selectedSymbol();
  const record = quoteOf(symbol);
  const touch = side === "buy" ? record.ask : record.bid;
  if (!symbol || !touch || !Number(touch)) {
    notify(`No ${side === "buy" ? "ask" : "bid"} for ${symbol || "a symbol"} yet`, "error");
    return;
  }
  await placeOrder({ symbol, qty: defaultQty(), side, type: "limit", limit_price: String(touch), time_in_force: "day", route: chosenRoute() });
}

async function cancelAll() {
  try {
    const answers = await api("DELETE", "/v2/orders");
    notify(`Cancel all: ${Array.isArray(answers) ? answers.length : 0} orders`, "ok");
  } catch (error) {
    notify(`Cancel all failed: ${failure(error)}`, "error");
  }
}

async function flattenSelected() {
  const symbol = selectedSymbol();
  if (symbol && positionOf(symbol)) {
    await flatten(symbol);
    return;
  }
  if (!allPositions().length) {
    notify("No positions to flatten", "info");
    return;
  }
  if (!window.confirm(`No position in ${symbol || "the selected symbol"}. Flatten ALL positions?`)) return;
  try {
    await api("DELETE", "/v2/positions", undefined, { query: { cancel_orders: "true" } });
    notify("Flatten all sent", "ok");
  } catch (error) {
    notify(`Flatten all failed: ${failure(error)}`, "error");
  }
  refreshPositions();
}

function typing(target) {
  if (!target || !(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable], dialog"));
}

function onKey(event) {
  if (event.repeat || event.defaultPrevented) return;
  const pressed = combo(event);
  if (!pressed) return;
  const functionKey = /^F\d{1,2}$/.test(event.key);
  if (typing(event.target) && !(functionKey && !dialog.open)) return;
  const action = ACTIONS.find((a) => bindings[a.id] === pressed);
  if (!action) return;
  event.preventDefault();
  action.run();
}

function openDialog() {
  const fields = ACTIONS.map((action) => {
    const input = el("input", { id: `hotkey-${action.id}`, value: bindings[action.id], readonly: true, size: "12", class: "hotkey-input" });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Tab" || (event.key === "Escape" && !event.shiftKey)) return;
      event.preventDefault();
      if (event.key === "Backspace" || event.key === "Delete") { input.value = ""; return; }
      const pressed = combo(event);
      if (pressed) input.value = pressed;
    });
    return { action, input, label: el("label", { class: "field", for: `hotkey-${action.id}` }, action.label, input) };
  });
  const size = el("input", { id: "hotkey-size", value: defaultQty(), inputmode: "numeric", size: "8" });
  const save = el("button", { type: "submit", class: "buy" }, "Save");
  const reset = el("button", { type: "button", onclick: () => fields.forEach((f) => { f.input.value = f.action.key; }) }, "Defaults");
  const close = el("button", { type: "button", onclick: () => dialog.close() }, "Close");
  const form = el("form", { method: "dialog", class: "hotkey-form" },
    el("h3", {}, "Hotkeys"), el("p", { class: "muted small" }, "Focus a field and press the keys; Backspace clears."),
    ...fields.map((f) => f.label), el("label", { class: "field", for: "hotkey-size" }, "Default size (shares)", size),
    el("div", { class: "row" }, save, reset, close));
  form.addEventListener("submit", () => {
    const saved = Object.fromEntries(fields.map((f) => [f.action.id, f.input.value]));
    localStorage.setItem(STORE, JSON.stringify(saved));
    if (size.value.trim()) localStorage.setItem("trader.defaultQty", size.value.trim());
    load();
    renderLegend();
    notify("Hotkeys saved", "ok");
  });
  dialog.replaceChildren(form);
  dialog.showModal();
  fields[0].input.focus();
}

let legend = null;

function renderLegend() {
  legend.replaceChildren(...ACTIONS.filter((a) => bindings[a.id]).map((a) =>
    el("span", { class: "hk", title: a.label }, el("kbd", {}, bindings[a.id]), " ", a.label.split(" (")[0])));
}

export function startHotkeys(panel) {
  load();
  dialog = el("dialog", { id: "hotkey-dialog", "aria-label": "Hotkeys" });
  document.body.append(dialog);
  const button = el("button", { type: "button", id: "hotkeys-edit", class: "small", onclick: openDialog }, "Hotkeys…");
  panel.querySelector("h2").append(el("span", { class: "spacer" }), button);
  legend = el("div", { class: "hotkey-legend", id: "hotkey-legend" });
  panel.append(legend);
  renderLegend();
  document.addEventListener("keydown", onKey);
}
