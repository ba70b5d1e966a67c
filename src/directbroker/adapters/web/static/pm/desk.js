// What the panels share: the manager's groups and the one chosen, the group's exposure and
// its accounts' positions (one refresh for all panels), live prices from MarketStream, and a
// tiny event bus ("group", "exposure", "price", "trade", "blocks").

import { api } from "../common/api.js";

const REFRESH_MS = 2000;

export class Desk {
  constructor(session) {
    this.session = session;
    this.groups = [];
    this.group = null;
    this.exposure = null;
    this.positions = new Map();
    this.prices = new Map();
    this.symbols = [];
    this.market = null;
    this.listeners = new Map();
    this.timer = 0;
    this.loading = false;
    this.on("trade", () => this.refreshSoon());
  }

  on(name, listener) {
    if (!this.listeners.has(name)) this.listeners.set(name, []);
    this.listeners.get(name).push(listener);
  }

  emit(name, value) {
    for (const listener of this.listeners.get(name) || []) listener(value);
  }

  async load() {
    const [groups, assets] = await Promise.all([api("GET", "/v2/groups"), api("GET", "/v2/assets")]);
    this.groups = groups;
    this.symbols = assets.filter((a) => a.tradable).map((a) => a.symbol).sort();
    this.emit("groups", groups);
    const wanted = new URLSearchParams(window.location.search).get("group");
    const first = groups.find((g) => g.id === wanted) || groups[0];
    if (first) await this.choose(first.id);
  }

  async choose(groupId) {
    this.group = this.groups.find((g) => g.id === groupId) || null;
    this.exposure = null;
    this.positions = new Map();
    this.emit("group", this.group);
    await this.refresh();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh().catch((error) => this.emit("failed", error)), REFRESH_MS);
  }

  /** Exposure and every member's positions, at most one refresh at a time. */
  async refresh() {
    if (!this.group || this.loading) return;
    this.loading = true;
    try {
      const group = this.group;
      const [exposure, ...positions] = await Promise.all([
        api("GET", `/v2/groups/${encodeURIComponent(group.id)}/exposure`),
        ...group.accounts.map((account) => api("GET", "/v2/positions", undefined, { account })),
      ]);
      if (group !== this.group) return;
      this.exposure = exposure;
      this.positions = new Map(group.accounts.map((account, i) => [account, positions[i]]));
      this.watch(positions.flat().map((p) => p.symbol));
      this.emit("exposure", exposure);
    } finally {
      this.loading = false;
    }
  }

  refreshSoon() {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => this.refresh().catch(() => {}), 150);
    this.emit("blocks");
  }

  /** Subscribe quotes and trades for symbols not yet watched. */
  watch(symbols) {
    const fresh = [...new Set(symbols)].filter((s) => s && !this.prices.has(s));
    if (!fresh.length) return;
    for (const symbol of fresh) this.prices.set(symbol, {});
    if (this.market) this.market.subscribe(["quotes", "trades"], fresh);
    api("GET", "/v2/stocks/snapshots", undefined, { query: { symbols: fresh.join(",") } })
      .then((snapshots) => {
        for (const [symbol, snap] of Object.entries(snapshots || {})) {
          const last = snap && snap.latestTrade ? snap.latestTrade.p : undefined;
          const quote = snap && snap.latestQuote ? { bid: snap.latestQuote.bp, ask: snap.latestQuote.ap } : {};
          this.price(symbol, { ...quote, ...(last !== undefined ? { last } : {}) });
        }
      })
      .catch(() => {});
  }

  price(symbol, change) {
    const held = this.prices.get(symbol);
    if (!held) return;
    const before = held.last;
    Object.assign(held, change);
    this.emit("price", { symbol, before, ...held });
  }
}
