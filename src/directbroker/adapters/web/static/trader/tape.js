// Time & sales for the selected symbol: newest first, price, size, venue, time, coloured by
// tick (up, down, or the previous direction on an unchanged price). A print's row is inserted
// the moment its message arrives (no batching), and the table keeps at most MAX_ROWS rows.
// Rows carry data-i (the trade id) and data-t (the trade time as received) so the time from
// print to screen can be measured.

import { api } from "../common/api.js";
import { clock, el, price, quantity } from "../common/format.js";
import { market, selectedSymbol, venueName } from "./market.js";

const MAX_ROWS = 200;
let body = null;
let lastPrice = null;
let lastTone = "";

function row(trade, venue) {
  const now = Number(trade.p);
  let tone = lastTone;
  if (lastPrice !== null && now !== lastPrice) tone = now > lastPrice ? "up" : "down";
  lastPrice = now;
  lastTone = tone;
  return el("tr", { class: tone, "data-i": trade.i, "data-t": trade.t },
    el("td", { class: "num" }, price(trade.p)),
    el("td", { class: "num" }, quantity(trade.s)),
    el("td", {}, venue),
    el("td", { class: "muted" }, clock(trade.t)));
}

/** The stream's trade message: its row goes on top now. */
export function onTapeTrade(message) {
  if (message.S !== selectedSymbol() || !body) return;
  body.prepend(row(message, venueName(message.x)));
  while (body.rows.length > MAX_ROWS) body.lastElementChild.remove();
}

export function startTape(panel) {
  body = el("tbody");
  panel.append(el("div", { class: "scroll" }, el("table", { id: "time-sales", "aria-label": "Time and sales" },
    el("thead", {}, el("tr", {}, el("th", { class: "num" }, "Price"), el("th", { class: "num" }, "Size"),
      el("th", {}, "Venue"), el("th", {}, "Time"))), body)));
  market.addEventListener("select", async (event) => {
    const symbol = event.detail;
    body.replaceChildren();
    lastPrice = null;
    lastTone = "";
    try {
      const history = await api("GET", `/v2/stocks/${encodeURIComponent(symbol)}/timesales`, undefined, { query: { limit: 60 } });
      if (symbol !== selectedSymbol()) return;
      // Oldest first so tick colours follow the tape; live rows that already arrived stay on top.
      const live = [...body.rows];
      const seen = new Set(live.map((r) => r.dataset.i));
      const older = [...history.trades].sort((a, b) => String(a.t).localeCompare(String(b.t)))
        .filter((trade) => !seen.has(String(trade.i)));
      const savedPrice = lastPrice;
      const savedTone = lastTone;
      lastPrice = null;
      const built = older.map((trade) => row(trade, trade.venue || venueName(trade.x))).reverse();
      if (live.length) {
        lastPrice = savedPrice;
        lastTone = savedTone;
      }
      body.append(...built.slice(0, Math.max(0, MAX_ROWS - live.length)));
    } catch {
      // The live tape still fills in.
    }
  });
}
