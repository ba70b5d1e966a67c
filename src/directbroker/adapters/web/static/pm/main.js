// The portfolio manager's screen: one account group at a time. The page owns the shared
// state (the group, live prices) and the streams; each panel is its own module and refreshes
// from the REST APIs the manager's key may call (the desk's /v2/groups and /v2/blocks, and
// each member account through the DirectBroker-Account header).

import { startScreen, notify, streamState, failure } from "../common/shell.js";
import { MarketStream, TradeStream } from "../common/live.js";
import { Desk } from "./desk.js";
import { GroupPanel } from "./groups.js";
import { ExposurePanel } from "./exposure.js";
import { BlockTicket } from "./allocation.js";
import { BlockBlotter } from "./blocks.js";
import { RebalancePanel } from "./rebalance.js";

const session = await startScreen("Portfolio manager");
const desk = new Desk(session);

const states = { market: "connecting", trades: "connecting" };
function showState() {
  const all = Object.values(states);
  streamState(all.every((s) => s === "live") ? "live" : all.includes("down") ? "down" : "connecting");
}

desk.market = new MarketStream(
  {
    t: (trade) => desk.price(trade.S, { last: trade.p }),
    q: (quote) => desk.price(quote.S, { bid: quote.bp, ask: quote.ap }),
  },
  (state) => { states.market = state; showState(); },
);
new TradeStream(
  (update) => desk.emit("trade", update),
  (state) => { states.trades = state; showState(); },
);

new GroupPanel(desk, document.getElementById("group-bar"));
new ExposurePanel(desk, document.getElementById("exposure-body"), document.getElementById("positions-body"));
new BlockTicket(desk, document.getElementById("ticket-body"));
new BlockBlotter(desk, document.getElementById("blocks-body"));
new RebalancePanel(desk, document.getElementById("rebalance-body"));

desk.on("failed", (error) => notify(`Refresh failed: ${failure(error)}`, "error"));

try {
  await desk.load();
} catch (error) {
  notify(failure(error), "error");
}
