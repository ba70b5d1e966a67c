// The account summary: equity, day change, buying power, cash, margin, from /v2/account,
// reloaded after fills and every few seconds (never more often than every 2 s).

import { api } from "../common/api.js";
import { el, money, signed } from "../common/format.js";
import { failure, notify } from "../common/shell.js";
import { throttled } from "./throttle.js";

const REFRESH_MS = 5000;
const FIELDS = [
  ["equity", "Equity"],
  ["day", "Day P&L"],
  ["buying_power", "Buying power"],
  ["daytrading_buying_power", "Day-trade BP"],
  ["cash", "Cash"],
  ["long_market_value", "Long value"],
  ["short_market_value", "Short value"],
  ["initial_margin", "Initial margin"],
  ["maintenance_margin", "Maint. margin"],
];
const cells = new Map();
let typeLine = null;
let failed = false;

async function load() {
  let account;
  try {
    account = await api("GET", "/v2/account");
    failed = false;
  } catch (error) {
    if (!failed) notify(`Account: ${failure(error)}`, "error");
    failed = true;
    return;
  }
  typeLine.textContent = `${account.account_number} · ${account.account_type || ""}${account.trading_blocked ? " · trading blocked" : ""}`;
  for (const [key] of FIELDS) {
    const cell = cells.get(key);
    if (key === "day") {
      const day = signed((Number(account.equity) - Number(account.last_equity)).toFixed(2));
      cell.textContent = day.text;
      cell.className = `value ${day.tone}`;
    } else {
      cell.textContent = money(account[key]);
    }
  }
}

export const refreshAccount = throttled(load, 2000);

export async function startAccount(panel) {
  typeLine = el("span", { class: "muted small", id: "account-type" });
  panel.querySelector("h2").append(typeLine);
  const list = el("dl", { class: "account", id: "account-summary" });
  for (const [key, label] of FIELDS) {
    const value = el("dd", { class: "value", dataset: { field: key } });
    cells.set(key, value);
    list.append(el("div", { class: "metric" }, el("dt", {}, label), value));
  }
  panel.append(list);
  await load();
  setInterval(refreshAccount, REFRESH_MS);
}
