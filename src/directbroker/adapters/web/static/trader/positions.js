// Positions with live P&L: quantity, average entry and the server's numbers from
// /v2/positions, with market value and unrealised P&L recomputed from the live last price as
// trades print (display only). Reloaded on fills and every few seconds; a row flattens its
// position (DELETE /v2/positions/{symbol}); clicking a row selects the symbol.

import { api } from "../common/api.js";
import { el, money, price, quantity, signed } from "../common/format.js";
import { failure, notify } from "../common/shell.js";
import { later } from "./frame.js";
import { market, quoteOf, select } from "./market.js";
import { throttled } from "./throttle.js";

const REFRESH_MS = 5000;
let positions = [];
let body = null;
let totalLine = null;
let stream = null;
const watched = new Set();

function live(position) {
  const last = Number(quoteOf(position.symbol).last || position.current_price);
  const qty = Number(position.qty);
  const entry = Number(position.avg_entry_price);
  const value = last * qty;
  const pnl = (last - entry) * qty;
  const cost = Math.abs(entry * qty);
  return { last, value, pnl, percent: cost ? (pnl / cost) * 100 : 0 };
}

export function positionOf(symbol) {
  return positions.find((p) => p.symbol === symbol) || null;
}

export function allPositions() {
  return positions;
}

export async function flatten(symbol) {
  try {
    await api("DELETE", `/v2/positions/${encodeURIComponent(symbol)}`);
    notify(`Flatten sent: ${symbol}`, "ok");
  } catch (error) {
    notify(`Cannot flatten ${symbol}: ${failure(error)}`, "error");
  }
  refreshPositions();
}

function paint() {
  let total = 0;
  const rows = positions.map((position) => {
    const now = live(position);
    total += now.pnl;
    const pnl = signed(now.pnl.toFixed(2));
    const row = el("tr", { tabindex: "0", dataset: { symbol: position.symbol } },
      el("th", { scope: "row", class: "sym" }, position.symbol),
      el("td", { class: `num ${Number(position.qty) < 0 ? "down" : ""}` }, quantity(position.qty)),
      el("td", { class: "num" }, price(position.avg_entry_price)),
      el("td", { class: "num" }, price(now.last)),
      el("td", { class: "num" }, money(now.value.toFixed(2))),
      el("td", { class: `num pnl ${pnl.tone}` }, pnl.text),
      el("td", { class: `num ${pnl.tone}` }, `${Math.abs(now.percent) < 0.005 ? "0.00" : now.percent.toFixed(2)}%`),
      el("td", { class: "act" }, el("button", { type: "button", class: "small", "aria-label": `Flatten ${position.symbol}`,
        onclick: (event) => { event.stopPropagation(); flatten(position.symbol); } }, "Flatten")));
    row.addEventListener("click", () => select(position.symbol));
    row.addEventListener("keydown", (event) => { if (event.key === "Enter" && event.target === row) select(position.symbol); });
    return row;
  });
  body.replaceChildren(...rows);
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: "8", class: "muted empty-note" }, "No open positions")));
  const sum = signed(total.toFixed(2));
  totalLine.textContent = positions.length ? `Unrealised ${sum.text}` : "";
  totalLine.className = `small pnl-total ${sum.tone}`;
}

async function load() {
  try {
    positions = await api("GET", "/v2/positions");
  } catch (error) {
    notify(`Positions: ${failure(error)}`, "error");
    return;
  }
  const fresh = positions.map((p) => p.symbol).filter((s) => !watched.has(s));
  if (fresh.length) {
    fresh.forEach((s) => watched.add(s));
    stream.subscribe(["trades"], fresh);
  }
  later("positions", paint);
}

export const refreshPositions = throttled(load, 2000);

export async function startPositions(panel, marketStream) {
  stream = marketStream;
  totalLine = el("span", { class: "small pnl-total", id: "positions-pnl" });
  panel.querySelector("h2").append(totalLine);
  body = el("tbody");
  panel.append(el("div", { class: "scroll" }, el("table", { id: "positions", "aria-label": "Positions" },
    el("thead", {}, el("tr", {}, el("th", {}, "Symbol"), el("th", { class: "num" }, "Qty"), el("th", { class: "num" }, "Avg"),
      el("th", { class: "num" }, "Last"), el("th", { class: "num" }, "Mkt value"), el("th", { class: "num" }, "Unrl P&L"),
      el("th", { class: "num" }, "%"), el("th", {}, el("span", { class: "sr-only" }, "Actions")))), body)));
  market.addEventListener("trade", (event) => {
    if (positionOf(event.detail.S)) later("positions", paint);
  });
  await load();
  setInterval(refreshPositions, REFRESH_MS);
}
