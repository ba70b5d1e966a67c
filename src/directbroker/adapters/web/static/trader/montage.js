// Level II: the montage by venue, bids and asks side by side, best first. Every row at the
// same price shares a colour band (.band-1 for the best price, then .band-2 ...), so depth at
// each level reads at a glance (levels past the fifth share .band-5). The montage arrives
// whole (REST for the first paint, then the stream's "o" messages); only the latest one is
// drawn, once a frame, into a fixed set of rows.

import { api } from "../common/api.js";
import { el, price, quantity } from "../common/format.js";
import { later } from "./frame.js";
import { market, sawVenues, selectedSymbol } from "./market.js";

const DEPTH = 12;
const BANDS = 5;
let bidRows = [];
let askRows = [];
let summary = null;

function side(id, label) {
  const rows = Array.from({ length: DEPTH }, () =>
    el("tr", {}, el("td", { class: "venue" }), el("td", { class: "num" }), el("td", { class: "num" })));
  const table = el("table", { id, class: `book ${id}`, "aria-label": label },
    el("thead", {}, el("tr", {}, el("th", {}, "Venue"), el("th", { class: "num" }, "Price"),
      el("th", { class: "num" }, "Size"))),
    el("tbody", {}, ...rows));
  return { table, rows };
}

function fill(rows, levels) {
  let band = 0;
  let lastPrice = null;
  rows.forEach((row, index) => {
    const level = levels[index];
    if (!level) {
      if (row.className !== "empty") {
        row.className = "empty";
        for (const cell of row.cells) cell.textContent = "";
      }
      return;
    }
    if (level.p !== lastPrice) {
      band += 1;
      lastPrice = level.p;
    }
    // The five best prices get their own colours; deeper levels share the last one, so a
    // colour never suggests a far level is at the touch.
    const name = `band-${Math.min(band, BANDS)}`;
    if (row.className !== name) row.className = name;
    const texts = [level.x, price(level.p), quantity(level.s)];
    const title = level.n ? `${level.n} order${level.n === 1 ? "" : "s"}` : "";
    if (row.title !== title) row.title = title;
    texts.forEach((text, i) => {
      const value = String(text);
      if (row.cells[i].textContent !== value) row.cells[i].textContent = value;
    });
  });
}

function draw(book) {
  if (book.S && book.S !== selectedSymbol()) return;
  const bids = book.b || [];
  const asks = book.a || [];
  fill(bidRows, bids);
  fill(askRows, asks);
  sawVenues([...bids, ...asks].map((level) => level.x));
  const venues = new Set([...bids, ...asks].map((level) => level.x));
  const best = bids[0] && asks[0] ? (Number(asks[0].p) - Number(bids[0].p)).toFixed(2) : "";
  summary.textContent = `${venues.size} venues${best ? ` · spread ${best}` : ""}`;
}

/** The stream's orderbook message for the selected symbol. */
export function onBook(message) {
  if (message.S === selectedSymbol()) later("montage", () => draw(message));
}

export function startMontage(panel, stream) {
  const bids = side("montage-bids", "Bids by venue");
  const asks = side("montage-asks", "Asks by venue");
  bidRows = bids.rows;
  askRows = asks.rows;
  summary = el("span", { class: "muted small", id: "montage-summary" });
  panel.querySelector("h2").append(summary);
  panel.append(el("div", { class: "montage", id: "montage" }, bids.table, asks.table));
  let current = "";
  market.addEventListener("select", async (event) => {
    const symbol = event.detail;
    if (current) stream.unsubscribe(["orderbooks"], [current]);
    current = symbol;
    fill(bidRows, []);
    fill(askRows, []);
    stream.subscribe(["orderbooks"], [symbol]);
    try {
      const book = await api("GET", `/v2/stocks/${encodeURIComponent(symbol)}/level2`, undefined, { query: { levels: DEPTH } });
      if (symbol === selectedSymbol()) draw({ S: book.symbol, b: book.b, a: book.a });
    } catch {
      summary.textContent = "no book";
    }
  });
}
