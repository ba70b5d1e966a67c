// Exposure and P&L by account (the desk's exposure route, refreshed every two seconds and on
// every order event) and each member account's positions marked live from MarketStream
// trades: market value = quantity x last, unrealised P&L = market value - cost basis.

import { el, money, price, quantity, signed } from "../common/format.js";
import { sum, text, times, units } from "./decimal.js";

function pl(value, attributes = {}) {
  const shown = signed(value);
  return el("td", { class: `num ${shown.tone}`, ...attributes }, shown.text);
}

export class ExposurePanel {
  constructor(desk, accountsRoot, positionsRoot) {
    this.desk = desk;
    this.accountsRoot = accountsRoot;
    this.positionsRoot = positionsRoot;
    this.rows = new Map();
    desk.on("group", () => this.clear());
    desk.on("exposure", () => this.draw());
    desk.on("price", (tick) => this.mark(tick));
    this.clear();
  }

  clear() {
    this.accountsRoot.replaceChildren(el("div", { class: "empty" }, "Loading the group…"));
    this.positionsRoot.replaceChildren();
  }

  draw() {
    const x = this.desk.exposure;
    if (!x) return;
    const asOf = document.getElementById("exposure-asof");
    if (asOf) asOf.textContent = `as of ${new Date().toLocaleTimeString()}`;
    const body = x.accounts.map((a) =>
      el("tr", { dataset: { account: a.account } },
        el("td", { class: "acct" }, a.account),
        el("td", { class: "num" }, money(a.equity)),
        el("td", { class: "num phone-hide" }, money(a.cash)),
        el("td", { class: "num phone-hide" }, money(a.long_market_value)),
        el("td", { class: "num wide" }, money(a.short_market_value)),
        pl(a.unrealized_pl),
        pl(a.day_pl),
        pl(a.realized_pl, { class: `num wide ${signed(a.realized_pl).tone}` }),
        el("td", { class: a.margin_call ? "down" : "muted phone-hide" }, a.margin_call ? `call ${money(a.margin_deficiency)}` : "ok")));
    const total = el("tr", {},
      el("td", {}, "Group"),
      el("td", { class: "num" }, money(x.equity)),
      el("td", { class: "num phone-hide" }, money(sum(x.accounts.map((a) => a.cash)))),
      el("td", { class: "num phone-hide" }, money(sum(x.accounts.map((a) => a.long_market_value)))),
      el("td", { class: "num wide" }, money(sum(x.accounts.map((a) => a.short_market_value)))),
      pl(x.unrealized_pl), pl(x.day_pl),
      pl(x.realized_pl, { class: `num wide ${signed(x.realized_pl).tone}` }),
      el("td", { class: x.margin_calls ? "down" : "muted phone-hide" }, x.margin_calls ? `${x.margin_calls} call(s)` : "—"));
    this.accountsRoot.replaceChildren(el("table", { class: "data", id: "exposure-table" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Account"), el("th", { class: "num", scope: "col" }, "Equity"),
        el("th", { class: "num phone-hide", scope: "col" }, "Cash"), el("th", { class: "num phone-hide", scope: "col" }, "Long value"),
        el("th", { class: "num wide", scope: "col" }, "Short value"), el("th", { class: "num", scope: "col" }, "Unrealised"),
        el("th", { class: "num", scope: "col" }, "Day P&L"), el("th", { class: "num wide", scope: "col" }, "Realised"),
        el("th", { scope: "col", class: "phone-hide" }, "Margin"))),
      el("tbody", {}, body), el("tfoot", {}, total)));
    this.drawPositions(x);
  }

  drawPositions(x) {
    this.rows = new Map();
    const rows = [];
    for (const account of this.desk.group.accounts) {
      const held = this.desk.positions.get(account) || [];
      rows.push(el("tr", { class: "group-row" }, el("td", { colspan: 7 }, `${account} · ${held.length} position${held.length === 1 ? "" : "s"}`)));
      for (const p of held) {
        const last = el("td", { class: "num live-last" }, price(p.current_price));
        const value = el("td", { class: "num" }, money(p.market_value));
        const unreal = pl(p.unrealized_pl);
        const row = el("tr", { dataset: { account, symbol: p.symbol } },
          el("td", {}, p.symbol), el("td", { class: `num ${p.side === "short" ? "down" : ""}` }, quantity(p.qty)),
          el("td", { class: "num wide" }, price(p.avg_entry_price)), last, value, unreal,
          el("td", { class: "num wide" }, money(p.cost_basis)));
        rows.push(row);
        if (!this.rows.has(p.symbol)) this.rows.set(p.symbol, []);
        this.rows.get(p.symbol).push({ position: p, last, value, unreal });
      }
    }
    const positions = el("table", { class: "data", id: "positions-table" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Symbol"), el("th", { class: "num", scope: "col" }, "Qty"),
        el("th", { class: "num wide", scope: "col" }, "Avg cost"), el("th", { class: "num", scope: "col" }, "Last"),
        el("th", { class: "num", scope: "col" }, "Mkt value"), el("th", { class: "num", scope: "col" }, "Unrealised"),
        el("th", { class: "num wide", scope: "col" }, "Cost basis"))),
      el("tbody", {}, rows));
    const symbols = x.symbols.length
      ? el("table", { class: "data", id: "symbol-exposure" },
        el("thead", {}, el("tr", {},
          el("th", { scope: "col" }, "Symbol"), el("th", { class: "num", scope: "col" }, "Long qty"),
          el("th", { class: "num", scope: "col" }, "Short qty"), el("th", { class: "num", scope: "col" }, "Long value"),
          el("th", { class: "num wide", scope: "col" }, "Short value"), el("th", { class: "num", scope: "col" }, "Of gross"))),
        el("tbody", {}, x.symbols.map((s) => el("tr", {},
          el("td", {}, s.symbol), el("td", { class: "num" }, quantity(s.long_qty)),
          el("td", { class: "num" }, quantity(s.short_qty)), el("td", { class: "num" }, money(s.long_market_value)),
          el("td", { class: "num wide" }, money(s.short_market_value)),
          el("td", { class: "num" }, `${(s.concentration_bps / 100).toFixed(2)}%`)))))
      : null;
    const none = !this.rows.size ? el("div", { class: "empty" }, "No positions in this group yet.") : null;
    this.positionsRoot.replaceChildren(...[positions, none, symbols ? el("h2", { class: "sub" }, "By symbol") : null, symbols].filter(Boolean));
    for (const [symbol] of this.rows) {
      const live = this.desk.prices.get(symbol);
      if (live && live.last !== undefined) this.mark({ symbol, ...live, before: live.last });
    }
  }

  /** Re-mark one symbol's positions at its last sale. */
  mark(tick) {
    const held = this.rows.get(tick.symbol);
    if (!held || tick.last === undefined) return;
    for (const { position, last, value, unreal } of held) {
      const marked = times(position.qty, tick.last);
      if (marked === null) continue;
      const pnl = marked - (units(position.cost_basis) ?? 0n);
      last.textContent = price(tick.last);
      if (tick.before !== undefined && tick.before !== tick.last) {
        last.classList.remove("flash-up", "flash-down");
        void last.offsetWidth;
        last.classList.add(tick.last > tick.before ? "flash-up" : "flash-down");
      }
      value.textContent = money(text(marked));
      const shown = signed(text(pnl));
      unreal.textContent = shown.text;
      unreal.className = `num ${shown.tone}`;
    }
  }
}
