// The order blotter: open orders first, then today's others, newest first, kept current by
// trade_updates. A row expands to the child orders the router sent to venues (the API's
// `children`: venue, quantity, fills, price, fee or rebate). Open orders cancel inline
// (DELETE /v2/orders/{id}) and replace inline (PATCH with a new quantity and limit price:
// the replacement is a new order whose `replaces` names this one).

import { api } from "../common/api.js";
import { clock, el, price, quantity } from "../common/format.js";
import { failure, notify } from "../common/shell.js";
import { later } from "./frame.js";

const MAX_ORDERS = 150;
const OPEN = new Set(["new", "accepted", "pending_new", "partially_filled", "held", "pending_replace", "pending_cancel", "accepted_for_bidding", "calculated"]);
/** The desk's short names for order types, so a row fits the blotter's width. */
const TYPE_CODES = { market: "MKT", limit: "LMT", stop: "STP", stop_limit: "STP LMT", trailing_stop: "TRAIL" };
const orders = new Map();
const expanded = new Set();
let editing = null;
let body = null;
let countLine = null;
const fillListeners = [];

export function isOpen(order) {
  return OPEN.has(order.status);
}

function sorted() {
  return [...orders.values()].sort((a, b) => {
    const open = Number(isOpen(b)) - Number(isOpen(a));
    return open || String(b.created_at).localeCompare(String(a.created_at));
  }).slice(0, MAX_ORDERS);
}

function priceText(order) {
  const parts = [];
  if (order.limit_price) parts.push(price(order.limit_price));
  if (order.stop_price) parts.push(`stop ${price(order.stop_price)}`);
  if (order.trail_percent) parts.push(`trail ${order.trail_percent}%`);
  else if (order.trail_price) parts.push(`trail ${price(order.trail_price)}`);
  return parts.join(" ") || "MKT";
}

/** Why an order is where it is: the venue's or risk's reason, or the replace chain. */
function statusNote(order) {
  if (order.reject_reason) return order.reject_reason;
  if (order.replaced_by) return `replaced by order ${order.replaced_by}`;
  if (order.replaces) return `replaces order ${order.replaces}`;
  return "";
}

function filledText(order) {
  const filled = Number(order.filled_qty);
  if (!filled) return "0";
  return order.filled_avg_price ? `${quantity(order.filled_qty)} @ ${price(order.filled_avg_price)}` : quantity(order.filled_qty);
}

async function cancel(order) {
  try {
    await api("DELETE", `/v2/orders/${order.id}`);
    notify(`Cancel sent: ${order.side} ${order.qty} ${order.symbol}`, "ok");
  } catch (error) {
    notify(`Cannot cancel: ${failure(error)}`, "error");
  }
}

async function replace(order, qty, limit) {
  const change = {};
  if (qty && qty !== order.qty) change.qty = qty;
  if (limit && limit !== order.limit_price) change.limit_price = limit;
  editing = null;
  if (!Object.keys(change).length) {
    render();
    return;
  }
  try {
    const replacement = await api("PATCH", `/v2/orders/${order.id}`, change);
    upsert(replacement);
    notify(`Replaced: ${order.symbol} now ${replacement.qty} @ ${priceText(replacement)}`, "ok");
  } catch (error) {
    notify(`Cannot replace: ${failure(error)}`, "error");
    render();
  }
}

function editCells(order) {
  const qty = el("input", { class: "inline-edit", size: "6", value: order.qty, "aria-label": `New quantity for ${order.symbol}`, inputmode: "numeric" });
  const limit = el("input", { class: "inline-edit", size: "8", value: order.limit_price || "", "aria-label": `New limit price for ${order.symbol}`, inputmode: "decimal", disabled: !order.limit_price });
  const save = () => replace(order, qty.value.trim(), limit.value.trim());
  const keys = (event) => {
    if (event.key === "Enter") { event.preventDefault(); save(); }
    if (event.key === "Escape") { event.preventDefault(); editing = null; render(); }
  };
  qty.addEventListener("keydown", keys);
  limit.addEventListener("keydown", keys);
  queueMicrotask(() => qty.focus());
  return { qty, limit, save };
}

function orderRow(order) {
  const open = isOpen(order);
  const children = order.children || [];
  const isExpanded = expanded.has(order.id);
  const toggle = el("button", { type: "button", class: "icon expand", "aria-expanded": String(isExpanded),
    "aria-label": `Routes of ${order.side} ${order.qty} ${order.symbol}`, disabled: !children.length,
    onclick: () => { if (isExpanded) expanded.delete(order.id); else expanded.add(order.id); render(); } }, isExpanded ? "▾" : "▸");
  const edit = editing === order.id ? editCells(order) : null;
  const actions = el("td", { class: "act lead" });
  if (open && edit) {
    actions.append(el("button", { type: "button", class: "small", onclick: edit.save }, "Save"),
      el("button", { type: "button", class: "small", onclick: () => { editing = null; render(); } }, "Back"));
  } else if (open) {
    actions.append(
      el("button", { type: "button", class: "small replace", title: "Replace (new quantity or limit)", "aria-label": `Replace ${order.side} ${order.qty} ${order.symbol}`, onclick: () => { editing = order.id; render(); } }, "Repl"),
      el("button", { type: "button", class: "small cancel danger", title: "Cancel", "aria-label": `Cancel ${order.side} ${order.qty} ${order.symbol}`, onclick: () => cancel(order) }, "Cxl"));
  }
  const sideClass = order.side === "buy" ? "up" : "down";
  const sideText = order.short_sale ? "short" : order.side;
  const rows = [el("tr", { class: `order ${open ? "open" : "done"}`, dataset: { id: order.id, symbol: order.symbol } },
    el("td", {}, toggle),
    actions,
    el("td", { class: "muted" }, clock(order.created_at).slice(0, 8)),
    el("td", { class: "sym" }, order.symbol),
    el("td", { class: sideClass }, sideText),
    el("td", { class: "num" }, edit ? edit.qty : quantity(order.qty)),
    el("td", { class: "num" }, filledText(order)),
    el("td", { title: `${order.type.replace("_", " ")}, ${order.time_in_force}` }, `${TYPE_CODES[order.type] || order.type} ${order.time_in_force.toUpperCase()}`),
    el("td", { class: "num" }, edit ? edit.limit : priceText(order)),
    el("td", { class: "route" }, order.route || "SMART"),
    el("td", { class: `status ${order.status}`, title: statusNote(order) }, order.status.replace("_", " ")),
  )];
  if (isExpanded) {
    for (const child of children) {
      rows.push(el("tr", { class: "child", dataset: { parent: order.id } },
        el("td", {}), el("td", {}), el("td", { class: "muted" }, clock(child.sent_at).slice(0, 8)),
        el("td", { class: "muted" }, "↳ route"), el("td", { class: "muted" }, child.purpose),
        el("td", { class: "num" }, quantity(child.qty)), el("td", { class: "num" }, filledText(child)),
        el("td", { class: "muted", title: "venue fee (negative: a rebate)" }, `fee ${child.fee}`),
        el("td", { class: "num" }, child.limit_price ? price(child.limit_price) : "MKT"),
        el("td", { class: "route" }, child.venue), el("td", { class: "status" }, child.status)));
    }
  }
  return rows;
}

function render() {
  const list = sorted();
  const open = list.filter(isOpen).length;
  countLine.textContent = `${open} open · ${orders.size} today`;
  // An order being edited keeps its inputs: redraw around it only when not typing in them.
  const active = document.activeElement;
  if (editing && active && active.classList.contains("inline-edit") && body.contains(active)) return;
  body.replaceChildren(...list.flatMap(orderRow));
  if (!list.length) body.append(el("tr", {}, el("td", { colspan: "11", class: "muted empty-note" }, "No orders today")));
}

/** A new or changed order (from the ticket, a replace, or trade_updates). */
export function upsert(order) {
  const before = orders.get(order.id);
  if (before && String(before.updated_at) > String(order.updated_at)) return;
  orders.set(order.id, order);
  later("blotter", render);
}

/** trade_updates: the order's new state; fills are announced to the listeners. */
export function onTradeUpdate(update) {
  if (!update || !update.order) return;
  upsert(update.order);
  if (update.event === "fill" || update.event === "partial_fill") {
    for (const listener of fillListeners) listener(update);
  }
}

export function onFill(listener) {
  fillListeners.push(listener);
}

export function openOrders() {
  return [...orders.values()].filter(isOpen);
}

export async function reloadOrders() {
  try {
    const found = await api("GET", "/v2/orders", undefined, { query: { status: "all", nested: "true", limit: 100 } });
    for (const order of found) upsert(order);
  } catch (error) {
    notify(`Orders: ${failure(error)}`, "error");
  }
}

export async function startBlotter(panel) {
  countLine = el("span", { class: "muted small", id: "blotter-count" });
  panel.querySelector("h2").append(countLine);
  body = el("tbody");
  panel.append(el("div", { class: "scroll" }, el("table", { id: "blotter", "aria-label": "Orders" },
    el("thead", {}, el("tr", {}, el("th", {}, el("span", { class: "sr-only" }, "Routes")),
      el("th", {}, el("span", { class: "sr-only" }, "Actions")), el("th", {}, "Time"), el("th", {}, "Symbol"),
      el("th", {}, "Side"), el("th", { class: "num" }, "Qty"), el("th", { class: "num" }, "Filled"), el("th", {}, "Type"),
      el("th", { class: "num" }, "Price"), el("th", {}, "Route"),
      el("th", {}, "Status"))), body)));
  await reloadOrders();
  render();
}
