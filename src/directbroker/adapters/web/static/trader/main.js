// The trader screen: wires the two streams to the panels. Market data fans out through
// market.js (Level 1 for the watchlist, positions and ticket) and straight to the tape (a
// print's row goes in as its message arrives), montage and chart (drawn once a frame).
// trade_updates feed the blotter; fills refresh positions and the account.

import { MarketStream, TradeStream } from "../common/live.js";
import { notify, startScreen, streamState } from "../common/shell.js";
import { startAccount, refreshAccount } from "./account.js";
import { onTradeUpdate, startBlotter, upsert, reloadOrders } from "./blotter.js";
import { onBar, onChartTrade, startChart } from "./chart.js";
import { startHotkeys } from "./hotkeys.js";
import { market, onQuote, onTrade, select } from "./market.js";
import { onBook, startMontage } from "./montage.js";
import { refreshPositions, startPositions } from "./positions.js";
import { onTapeTrade, startTape } from "./tape.js";
import { startTicket } from "./ticket.js";
import { startWatchlist } from "./watchlist.js";

await startScreen("trader");
// The message line floats over the desk; a click puts it away.
document.getElementById("notice").addEventListener("click", (event) => {
  event.currentTarget.textContent = "";
  event.currentTarget.className = "notice";
});

const panel = (id) => document.getElementById(id);
const states = { market: "connecting", trades: "connecting" };
function showState(which, state) {
  states[which] = state;
  const all = Object.values(states);
  streamState(all.every((s) => s === "live") ? "live" : all.includes("down") ? "down" : "connecting");
}

const marketStream = new MarketStream({
  q: onQuote,
  t: (message) => {
    onTapeTrade(message);
    onTrade(message);
    onChartTrade(message);
  },
  b: onBar,
  o: onBook,
}, (state) => showState("market", state));

let wasDown = false;
new TradeStream((update) => {
  onTradeUpdate(update);
  if (update.event === "fill" || update.event === "partial_fill") {
    refreshPositions();
    refreshAccount();
  }
}, (state) => {
  showState("trades", state);
  // Updates missed while the stream was down are caught up from REST once it is back.
  if (state === "down") wasDown = true;
  if (state === "live" && wasDown) {
    wasDown = false;
    reloadOrders();
    refreshPositions();
    refreshAccount();
  }
});

startChart(panel("chart-panel"));
startMontage(panel("montage-panel"), marketStream);
startTape(panel("tape-panel"));
startTicket(panel("ticket-panel"), { onPlaced: upsert });
startHotkeys(panel("ticket-panel"));
// The selected symbol's quotes, prints and bars, whether or not it is on the watchlist; the
// choice is remembered for the next visit.
let barsOf = "";
market.addEventListener("select", (event) => {
  if (barsOf && barsOf !== event.detail) marketStream.unsubscribe(["bars"], [barsOf]);
  barsOf = event.detail;
  marketStream.subscribe(["quotes", "trades", "bars"], [event.detail]);
  localStorage.setItem("trader.symbol", event.detail);
});

try {
  const symbols = await startWatchlist(panel("watchlist-panel"), marketStream);
  const remembered = localStorage.getItem("trader.symbol");
  if (remembered || symbols.length) select(remembered || symbols[0]);
} catch (error) {
  notify(`Watchlist: ${error.message || error}`, "error");
}
await Promise.all([startBlotter(panel("blotter-panel")), startPositions(panel("positions-panel"), marketStream), startAccount(panel("account-panel"))]);
