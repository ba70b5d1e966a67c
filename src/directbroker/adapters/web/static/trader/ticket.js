// Order entry. Every field is a labelled form control in Tab order (fields a type does not
// use are hidden, so they leave the Tab order too); Enter submits, Escape clears back to the
// defaults. Prices and quantities go to the server exactly as typed. A refusal shows the
// server's own message under the ticket. The symbol's borrow status (the asset's
// easy_to_borrow) says before the fact whether a short sale needs a locate.

import { api } from "../common/api.js";
import { el, price, quantity } from "../common/format.js";
import { failure, notify } from "../common/shell.js";
import { later } from "./frame.js";
import { knownVenues, market, quoteOf, select, selectedSymbol } from "./market.js";

const TYPES = [["limit", "Limit"], ["market", "Market"], ["stop", "Stop"], ["stop_limit", "Stop limit"], ["trailing_stop", "Trailing stop"]];
const SIDES = [["buy", "Buy"], ["sell", "Sell"], ["sell_short", "Sell short"]];
const TIFS = [["day", "Day"], ["gtc", "GTC"], ["ioc", "IOC"], ["fok", "FOK"], ["opg", "On open"], ["cls", "On close"]];
const DEFAULT_QTY = "100";

const f = {};
let form = null;
let errorLine = null;
let borrowLine = null;
let nbbo = null;
let placedHandler = () => {};
const borrow = new Map();

function field(label, control, extra = {}) {
  return el("label", { class: `field ${extra.class || ""}`.trim(), id: extra.id }, label, control);
}

function options(pairs) {
  return pairs.map(([value, text]) => el("option", { value }, text));
}

function showFields() {
  const type = f.type.value;
  f.limitWrap.hidden = !(type === "limit" || type === "stop_limit");
  f.stopWrap.hidden = !(type === "stop" || type === "stop_limit");
  f.trailWrap.hidden = type !== "trailing_stop";
  f.trailKindWrap.hidden = type !== "trailing_stop";
  const displayable = type === "limit";
  f.displayWrap.hidden = !displayable;
  f.hiddenWrap.hidden = !displayable;
  const side = f.side.value;
  f.submit.className = side === "buy" ? "buy submit" : "sell submit";
  f.submit.textContent = SIDES.find(([value]) => value === side)[1];
  showBorrow();
}

function showBorrow() {
  const symbol = f.symbol.value.trim().toUpperCase();
  const status = borrow.get(symbol);
  if (!status) {
    borrowLine.textContent = "";
    return;
  }
  if (status.easy) {
    borrowLine.textContent = `${symbol}: easy to borrow, shorts need no locate`;
    borrowLine.className = "borrow etb";
  } else {
    borrowLine.textContent = `${symbol}: hard to borrow, a short sale needs a locate from the firm (call the desk)`;
    borrowLine.className = f.side.value === "sell_short" ? "borrow htb warn" : "borrow htb";
  }
}

async function loadBorrow(symbol) {
  if (!symbol || borrow.has(symbol)) {
    showBorrow();
    return;
  }
  try {
    const asset = await api("GET", `/v2/assets/${encodeURIComponent(symbol)}`);
    borrow.set(symbol, { easy: Boolean(asset.easy_to_borrow), shortable: Boolean(asset.shortable) });
  } catch {
    // Unknown symbol: the server says so when the order is sent.
  }
  showBorrow();
}

function setRoutes(venues) {
  const chosen = f.route.value || "SMART";
  f.route.replaceChildren(el("option", { value: "SMART" }, "SMART"), ...venues.map((v) => el("option", { value: v }, v)));
  f.route.value = [...f.route.options].some((o) => o.value === chosen) ? chosen : "SMART";
}

function showNbbo() {
  const symbol = f.symbol.value.trim().toUpperCase();
  const record = quoteOf(symbol);
  nbbo.bid.textContent = record.bid ? `${price(record.bid)} × ${quantity(record.bidSize)}` : "—";
  nbbo.ask.textContent = record.ask ? `${price(record.ask)} × ${quantity(record.askSize)}` : "—";
}

/** The order the ticket describes, as the API takes it. */
function body() {
  const type = f.type.value;
  const order = {
    symbol: f.symbol.value.trim().toUpperCase(),
    qty: f.qty.value.trim(),
    side: f.side.value,
    type,
    time_in_force: f.tif.value,
    route: f.route.value || "SMART",
  };
  if (type === "limit" || type === "stop_limit") order.limit_price = f.limit.value.trim();
  if (type === "stop" || type === "stop_limit") order.stop_price = f.stop.value.trim();
  if (type === "trailing_stop") order[f.trailKind.value] = f.trail.value.trim();
  if (type === "limit") {
    if (f.display.value.trim()) order.display_qty = f.display.value.trim();
    if (f.hidden.checked) order.hidden = true;
  }
  return order;
}

function describe(order) {
  const how = order.type === "market" ? "market" : `${order.type.replace("_", " ")}${order.limit_price ? ` ${order.limit_price}` : ""}${order.stop_price ? ` stop ${order.stop_price}` : ""}`;
  return `${order.side.replace("_", " ")} ${order.qty} ${order.symbol} ${how} via ${order.route}`;
}

/** Send an order (the ticket's or a hotkey's); shows the outcome and returns the order or null. */
export async function placeOrder(order) {
  errorLine.textContent = "";
  try {
    const placed = await api("POST", "/v2/orders", order);
    notify(`Placed: ${describe(order)} (${placed.status})`, "ok");
    placedHandler(placed);
    return placed;
  } catch (error) {
    const text = `Refused: ${describe(order)}: ${failure(error)}`;
    errorLine.textContent = text;
    notify(text, "error");
    return null;
  }
}

/** Escape: back to the defaults, the symbol stays. */
export function clearTicket() {
  const symbol = f.symbol.value;
  form.reset();
  f.symbol.value = symbol;
  f.qty.value = defaultQty();
  errorLine.textContent = "";
  showFields();
}

export function focusTicket() {
  f.qty.focus();
  f.qty.select();
}

export function chosenRoute() {
  return f.route.value || "SMART";
}

export function defaultQty() {
  return localStorage.getItem("trader.defaultQty") || DEFAULT_QTY;
}

function build(panel) {
  f.symbol = el("input", { id: "ticket-symbol", name: "symbol", autocomplete: "off", size: "7", required: true, class: "symbol-input" });
  f.side = el("select", { id: "ticket-side", name: "side" }, ...options(SIDES));
  f.qty = el("input", { id: "ticket-qty", name: "qty", inputmode: "numeric", autocomplete: "off", size: "7", required: true, value: defaultQty() });
  f.type = el("select", { id: "ticket-type", name: "type" }, ...options(TYPES));
  f.limit = el("input", { id: "ticket-limit", name: "limit_price", inputmode: "decimal", autocomplete: "off", size: "8" });
  f.stop = el("input", { id: "ticket-stop", name: "stop_price", inputmode: "decimal", autocomplete: "off", size: "8" });
  f.trail = el("input", { id: "ticket-trail", name: "trail", inputmode: "decimal", autocomplete: "off", size: "6" });
  f.trailKind = el("select", { id: "ticket-trail-kind", name: "trail_kind" }, ...options([["trail_price", "$ amount"], ["trail_percent", "% percent"]]));
  f.tif = el("select", { id: "ticket-tif", name: "time_in_force" }, ...options(TIFS));
  f.route = el("select", { id: "ticket-route", name: "route" }, el("option", { value: "SMART" }, "SMART"));
  f.display = el("input", { id: "ticket-display", name: "display_qty", inputmode: "numeric", autocomplete: "off", size: "6", placeholder: "all" });
  f.hidden = el("input", { id: "ticket-hidden", name: "hidden", type: "checkbox" });
  f.submit = el("button", { id: "ticket-submit", type: "submit", class: "buy submit" }, "Buy");
  f.limitWrap = field("Limit", f.limit);
  f.stopWrap = field("Stop", f.stop);
  f.trailWrap = field("Trail", f.trail);
  f.trailKindWrap = field("Trail by", f.trailKind);
  f.displayWrap = field("Display (reserve)", f.display);
  f.hiddenWrap = el("label", { class: "inline check" }, f.hidden, "Hidden");
  nbbo = { bid: el("button", { type: "button", class: "quote-bid", id: "ticket-bid", title: "Use the bid as the limit" }, "—"),
    ask: el("button", { type: "button", class: "quote-ask", id: "ticket-ask", title: "Use the ask as the limit" }, "—") };
  nbbo.bid.addEventListener("click", () => { const b = quoteOf(f.symbol.value.trim().toUpperCase()).bid; if (b) f.limit.value = String(b); });
  nbbo.ask.addEventListener("click", () => { const a = quoteOf(f.symbol.value.trim().toUpperCase()).ask; if (a) f.limit.value = String(a); });
  errorLine = el("div", { id: "ticket-error", class: "ticket-error", role: "alert" });
  borrowLine = el("div", { id: "ticket-borrow", class: "borrow" });
  form = el("form", { id: "ticket", class: "ticket", "aria-label": "Order ticket", novalidate: true },
    el("div", { class: "row nbbo" }, el("span", { class: "muted" }, "Bid"), nbbo.bid, el("span", { class: "muted" }, "Ask"), nbbo.ask),
    el("div", { class: "row" }, field("Symbol", f.symbol), field("Side", f.side), field("Quantity", f.qty), field("Type", f.type)),
    el("div", { class: "row" }, f.limitWrap, f.stopWrap, f.trailWrap, f.trailKindWrap, field("Time in force", f.tif)),
    el("div", { class: "row" }, field("Route", f.route), f.displayWrap, f.hiddenWrap, f.submit),
    borrowLine, errorLine);
  panel.append(form);
}

export function startTicket(panel, { onPlaced }) {
  placedHandler = onPlaced || placedHandler;
  build(panel);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    placeOrder(body());
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      clearTicket();
    } else if (event.key === "Enter" && event.target.tagName === "SELECT") {
      // A select swallows Enter; on a ticket Enter always means "send".
      event.preventDefault();
      form.requestSubmit();
    }
  });
  f.type.addEventListener("change", showFields);
  f.side.addEventListener("change", showFields);
  f.symbol.addEventListener("change", () => {
    const symbol = f.symbol.value.trim().toUpperCase();
    f.symbol.value = symbol;
    if (symbol) select(symbol);
  });
  market.addEventListener("select", (event) => {
    f.symbol.value = event.detail;
    f.limit.value = "";
    loadBorrow(event.detail);
    showNbbo();
  });
  market.addEventListener("quote", (event) => {
    if (event.detail === selectedSymbol()) later("ticket:nbbo", showNbbo);
  });
  market.addEventListener("venues", (event) => setRoutes(event.detail));
  setRoutes(knownVenues());
  showFields();
}
