// The watchlist: Level 1 per symbol (bid, ask, sizes, last, change, volume). Symbols come
// from the user's first watchlist (/v2/watchlists); with none, from the tradable assets.
// Adding a symbol saves it to that watchlist (created on the first change); Remove (or Delete on a
// row) takes the selected one off.
// A row is selected by click or Enter; rows redraw at most once a frame.

import { api } from "../common/api.js";
import { el, price, quantity } from "../common/format.js";
import { failure, notify } from "../common/shell.js";
import { later } from "./frame.js";
import { market, quoteOf, seed, select, selectedSymbol } from "./market.js";

const MAX_FROM_ASSETS = 12;
const rows = new Map();
let listId = null;
let symbols = [];
let stream = null;
let body = null;

/** 1,234 / 12.3K / 4.56M: day volume in the width a watchlist column has. */
function compact(volume) {
  const n = Number(volume) || 0;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}K`;
  return quantity(n);
}

function cells(symbol) {
  const record = quoteOf(symbol);
  const change = record.last !== "" && record.prevClose !== "" ? Number(record.last) - Number(record.prevClose) : null;
  const percent = change === null || !Number(record.prevClose) ? null : (change / Number(record.prevClose)) * 100;
  const tone = change === null || change === 0 ? "" : change > 0 ? "up" : "down";
  const sign = change > 0 ? "+" : "";
  return [
    { text: price(record.bid), tone: "" },
    { text: quantity(record.bidSize), tone: "muted" },
    { text: price(record.ask), tone: "" },
    { text: quantity(record.askSize), tone: "muted" },
    { text: price(record.last), tone: record.tick > 0 ? "up" : record.tick < 0 ? "down" : "" },
    { text: percent === null ? "" : `${sign}${percent.toFixed(2)}%`, tone, title: change === null ? "" : `${sign}${change.toFixed(2)} since the prior close` },
    { text: compact(record.volume), tone: "muted" },
  ];
}

function paint(symbol) {
  const row = rows.get(symbol);
  if (!row) return;
  const values = cells(symbol);
  values.forEach((value, index) => {
    const cell = row.cells[index + 1];
    if (cell.textContent !== value.text) cell.textContent = value.text;
    const name = `num ${value.tone}`.trim();
    if (cell.className !== name) cell.className = name;
    if (value.title !== undefined && cell.title !== value.title) cell.title = value.title;
  });
  row.classList.toggle("selected", symbol === selectedSymbol());
}

function buildRow(symbol) {
  const row = el("tr", { tabindex: "0", dataset: { symbol }, "aria-label": symbol },
    el("th", { scope: "row", class: "sym" }, symbol),
    ...cells(symbol).map(() => el("td", { class: "num" })));
  row.addEventListener("click", () => select(symbol));
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target === row) select(symbol);
    if (event.key === "Delete" && event.target === row) removeSymbol(symbol);
    if (event.key === "ArrowDown" && row.nextElementSibling) row.nextElementSibling.focus();
    if (event.key === "ArrowUp" && row.previousElementSibling) row.previousElementSibling.focus();
  });
  rows.set(symbol, row);
  return row;
}

function render() {
  rows.clear();
  body.replaceChildren(...symbols.map(buildRow));
  for (const symbol of symbols) paint(symbol);
}

async function seedAll(names) {
  if (!names.length) return;
  try {
    const snapshots = await api("GET", "/v2/stocks/snapshots", undefined, { query: { symbols: names.join(",") } });
    for (const name of names) seed(name, snapshots[name]);
  } catch (error) {
    notify(`Quotes: ${failure(error)}`, "error");
  }
}

async function addSymbol(text) {
  const symbol = text.trim().toUpperCase();
  if (!symbol || symbols.includes(symbol)) return;
  try {
    if (listId) {
      await api("POST", `/v2/watchlists/${listId}`, { symbol });
    } else {
      const created = await api("POST", "/v2/watchlists", { name: "Primary", symbols: [...symbols, symbol] });
      listId = created.id;
    }
  } catch (error) {
    notify(`Cannot add ${symbol}: ${failure(error)}`, "error");
    return;
  }
  symbols.push(symbol);
  stream.subscribe(["quotes", "trades"], [symbol]);
  render();
  await seedAll([symbol]);
  select(symbol);
}

async function removeSymbol(symbol) {
  try {
    if (listId) await api("DELETE", `/v2/watchlists/${listId}/${encodeURIComponent(symbol)}`);
    else {
      const created = await api("POST", "/v2/watchlists", { name: "Primary", symbols: symbols.filter((s) => s !== symbol) });
      listId = created.id;
    }
  } catch (error) {
    notify(`Cannot remove ${symbol}: ${failure(error)}`, "error");
    return;
  }
  symbols = symbols.filter((s) => s !== symbol);
  if (symbol !== selectedSymbol()) stream.unsubscribe(["quotes", "trades"], [symbol]);
  render();
}

async function loadSymbols() {
  const lists = await api("GET", "/v2/watchlists");
  if (lists.length) {
    const list = await api("GET", `/v2/watchlists/${lists[0].id}`);
    listId = list.id;
    const names = (list.assets || []).map((asset) => asset.symbol);
    if (names.length) return names;
  }
  const assets = await api("GET", "/v2/assets", undefined, { query: { status: "active" } });
  return assets.filter((asset) => asset.tradable).slice(0, MAX_FROM_ASSETS).map((asset) => asset.symbol);
}

/** Draw the panel; returns the watchlist's symbols (the first is selected by the caller). */
export async function startWatchlist(panel, marketStream) {
  stream = marketStream;
  const input = el("input", { id: "watch-add", name: "watch-add", placeholder: "Add symbol", autocomplete: "off",
    size: "8", "aria-label": "Add symbol to watchlist" });
  const form = el("form", { class: "watch-add", onsubmit: (event) => { event.preventDefault(); addSymbol(input.value); input.value = ""; } },
    input, el("button", { type: "submit" }, "Add"),
    el("button", { type: "button", id: "watch-remove", title: "Remove the selected symbol (or Delete on a row)",
      onclick: () => { if (selectedSymbol()) removeSymbol(selectedSymbol()); } }, "Remove"));
  body = el("tbody");
  const head = el("thead", {}, el("tr", {}, el("th", {}, "Symbol"),
    ...["Bid", "BSz", "Ask", "ASz", "Last", "Chg%", "Vol"].map((name) => el("th", { class: "num" }, name))));
  panel.append(form, el("div", { class: "scroll" }, el("table", { id: "watchlist", class: "grid-table" }, head, body)));
  symbols = await loadSymbols();
  render();
  stream.subscribe(["quotes", "trades"], symbols);
  const update = (event) => later(`watch:${event.detail.S || event.detail}`, () => paint(event.detail.S || event.detail));
  market.addEventListener("quote", update);
  market.addEventListener("trade", update);
  market.addEventListener("select", () => later("watch:selected", () => symbols.forEach(paint)));
  await seedAll(symbols);
  return symbols;
}
