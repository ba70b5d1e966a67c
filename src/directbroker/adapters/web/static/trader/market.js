// What the screen knows about the market right now, shared by its panels: the selected
// symbol, each symbol's Level 1 (NBBO quote, last trade, day volume, prior close) and the
// venues seen in the montage (the routes a user may direct an order to). Panels listen for
// "select", "quote", "trade" and "venues" events instead of reaching into each other.

export const market = new EventTarget();

const level1 = new Map();
let selected = "";
const venues = new Set();

function entry(symbol) {
  let found = level1.get(symbol);
  if (!found) {
    found = { symbol, bid: "", ask: "", bidSize: "", askSize: "", last: "", prevClose: "", volume: 0, tick: 0 };
    level1.set(symbol, found);
  }
  return found;
}

/** The symbol's Level 1 record (created empty on first use). */
export function quoteOf(symbol) {
  return entry(symbol);
}

export function selectedSymbol() {
  return selected;
}

/** Select `symbol` for the montage, tape, chart and ticket. */
export function select(symbol) {
  const name = String(symbol || "").trim().toUpperCase();
  if (!name || name === selected) return;
  selected = name;
  market.dispatchEvent(new CustomEvent("select", { detail: name }));
}

/** A snapshot (GET /v2/stocks/snapshots) seeds last, prior close, volume and quote. */
export function seed(symbol, snapshot) {
  const record = entry(symbol);
  if (!snapshot) return;
  if (snapshot.latestTrade) record.last = String(snapshot.latestTrade.p);
  if (snapshot.prevClose !== null && snapshot.prevClose !== undefined) record.prevClose = String(snapshot.prevClose);
  if (snapshot.dailyBar) record.volume = Number(snapshot.dailyBar.v) || 0;
  const q = snapshot.latestQuote;
  if (q) Object.assign(record, { bid: String(q.bp), ask: String(q.ap), bidSize: String(q.bs), askSize: String(q.as) });
  market.dispatchEvent(new CustomEvent("quote", { detail: symbol }));
}

export function onQuote(message) {
  const record = entry(message.S);
  record.bid = String(message.bp);
  record.ask = String(message.ap);
  record.bidSize = String(message.bs);
  record.askSize = String(message.as);
  market.dispatchEvent(new CustomEvent("quote", { detail: message.S }));
}

export function onTrade(message) {
  const record = entry(message.S);
  const before = Number(record.last);
  const now = Number(message.p);
  if (record.last !== "" && now !== before) record.tick = now > before ? 1 : -1;
  record.last = String(message.p);
  record.volume += Number(message.s) || 0;
  market.dispatchEvent(new CustomEvent("trade", { detail: message }));
}

/** Venues named by the montage; a new one is announced so the ticket can offer it. */
export function sawVenues(names) {
  let added = false;
  for (const name of names) {
    if (name && !venues.has(name)) {
      venues.add(name);
      added = true;
    }
  }
  if (added) market.dispatchEvent(new CustomEvent("venues", { detail: [...venues].sort() }));
}

export function knownVenues() {
  return [...venues].sort();
}

/** The SIP's one-letter exchange codes (as quotes and trades carry them) by venue name. */
const SIP_NAMES = { P: "ARCA", Q: "NSDQ", Z: "BATS", Y: "BYX", K: "EDGX", J: "EDGA", V: "IEX", N: "NYSE", A: "AMEX", U: "MEMX" };

export function venueName(code) {
  return SIP_NAMES[code] || code || "";
}
