// The block ticket: symbol, side, quantity, type, limit, time in force and route, the
// allocation method the desk supports (equal, percent, ratio, shares, by equity) with each
// account's weight, and the split previewed by the server with the core's own rule before
// anything is sent. Enter places the block, Escape clears the ticket. What the user typed is
// sent as typed (quantities as whole numbers, prices as the text entered).

import { api } from "../common/api.js";
import { notify, failure } from "../common/shell.js";
import { el, money, price, quantity } from "../common/format.js";
import { bps, percentText, text, times } from "./decimal.js";

const METHODS = [
  ["equal", "Equal"],
  ["net_liquidation", "Pro rata by equity"],
  ["percent", "Percent"],
  ["ratio", "Ratio"],
  ["shares", "Shares per account"],
];
const WEIGHTED = new Set(["percent", "ratio", "shares"]);

export class BlockTicket {
  constructor(desk, root) {
    this.desk = desk;
    this.root = root;
    this.side = "buy";
    this.preview = null;
    this.venues = ["SMART"];
    this.pending = 0;
    desk.on("group", () => this.draw());
    desk.on("groups", () => this.draw());
    desk.on("price", (tick) => { if (tick.symbol === this.symbolValue()) this.showQuote(); });
    desk.on("exposure", () => { if (this.method && this.method.value === "net_liquidation") this.schedule(); });
    this.draw();
  }

  symbolValue() {
    return this.symbol ? this.symbol.value.trim().toUpperCase() : "";
  }

  draw() {
    const group = this.desk.group;
    if (!group) {
      this.root.replaceChildren(el("div", { class: "empty" }, "Choose a group."));
      return;
    }
    const field = (label, control) => el("label", {}, label, control);
    this.symbol = el("input", { id: "block-symbol", class: "sym", list: "block-symbols", autocomplete: "off",
      required: true, "aria-label": "Symbol", oninput: () => this.symbolChanged() });
    const list = el("datalist", { id: "block-symbols" }, this.desk.symbols.map((s) => el("option", { value: s })));
    this.buy = el("button", { type: "button", class: "buy-side", id: "block-buy", "aria-pressed": "true", onclick: () => this.setSide("buy") }, "Buy");
    this.sell = el("button", { type: "button", class: "sell-side", id: "block-sell", "aria-pressed": "false", onclick: () => this.setSide("sell") }, "Sell");
    this.qty = el("input", { id: "block-qty", class: "qty", inputmode: "numeric", pattern: "[0-9]*", required: true,
      "aria-label": "Quantity", oninput: () => {
        if (this.method.value === "shares" && !this.touched) this.fillShares();
        this.schedule();
      } });
    this.type = el("select", { id: "block-type", "aria-label": "Order type", onchange: () => this.typeChanged() },
      el("option", { value: "market" }, "Market"), el("option", { value: "limit" }, "Limit"));
    this.limit = el("input", { id: "block-limit", class: "px", inputmode: "decimal", disabled: true, "aria-label": "Limit price",
      oninput: () => this.estimate() });
    this.tif = el("select", { id: "block-tif", "aria-label": "Time in force" },
      ...["day", "ioc", "fok", "gtc"].map((t) => el("option", { value: t }, t.toUpperCase())));
    this.route = el("select", { id: "block-route", "aria-label": "Route" }, el("option", { value: "SMART" }, "SMART"));
    this.method = el("select", { id: "block-method", "aria-label": "Allocation method", onchange: () => this.methodChanged() },
      ...METHODS.map(([value, label]) => el("option", { value }, label)));
    this.stepBroker = el("input", { id: "stepout-broker", class: "sym", maxlength: 16, autocomplete: "off",
      "aria-label": "Step-out broker", placeholder: "none", oninput: () => this.schedule() });
    this.stepQty = el("input", { id: "stepout-qty", class: "qty", inputmode: "numeric", "aria-label": "Step-out quantity",
      oninput: () => this.schedule() });
    this.quote = el("div", { class: "quote-line", id: "block-quote", "aria-live": "off" });
    this.state = el("div", { class: "preview-state", id: "preview-state", role: "status" });
    this.weights = new Map(group.accounts.map((a) => [a, el("input", {
      class: "weight", inputmode: "decimal", "aria-label": `Weight for ${a}`, dataset: { account: a },
      oninput: () => { this.touched = true; this.schedule(); } })]));
    this.cells = new Map(group.accounts.map((a) => [a, {
      weight: el("span", { class: "weight-text muted" }),
      pct: el("td", { class: "num" }), qty: el("td", { class: "num preview-qty" }, "—"),
      value: el("td", { class: "num preview-value" }) }]));
    this.previewBody = el("tbody", { id: "preview-rows" }, group.accounts.map((a) => {
      const cells = this.cells.get(a);
      return el("tr", { dataset: { account: a } }, el("td", { class: "acct" }, a),
        el("td", { class: "num" }, this.weights.get(a), cells.weight), cells.pct, cells.qty, cells.value);
    }));
    this.previewFoot = el("tfoot");
    this.weightHead = el("th", { class: "num", scope: "col" }, "Weight");
    this.submit = el("button", { type: "submit", class: "primary", id: "place-block", disabled: true }, "Place block");
    const form = el("form", { class: "block-ticket", id: "block-form", novalidate: true,
      onsubmit: (event) => { event.preventDefault(); this.place(); },
      onkeydown: (event) => { if (event.key === "Escape") { event.preventDefault(); this.reset(); } } },
    el("div", { class: "row" },
      field("Symbol", this.symbol), list,
      el("div", { class: "sides", role: "group", "aria-label": "Side" }, this.buy, this.sell),
      field("Quantity", this.qty), field("Type", this.type), field("Limit", this.limit),
      field("TIF", this.tif), field("Route", this.route)),
    this.quote,
    el("fieldset", { class: "alloc" }, el("legend", {}, `Allocation across ${group.id}`),
      el("div", { class: "row" }, field("Method", this.method),
        field("Step-out broker", this.stepBroker), field("Step-out shares", this.stepQty)),
      el("table", { class: "data preview", id: "allocation-preview" },
        el("thead", {}, el("tr", {},
          el("th", { scope: "col" }, "Account"), this.weightHead,
          el("th", { class: "num", scope: "col" }, "Share"), el("th", { class: "num", scope: "col" }, "Shares"),
          el("th", { class: "num", scope: "col" }, "Est. value"))),
        this.previewBody, this.previewFoot),
      this.state),
    el("div", { class: "submit-row" },
      el("span", { class: "muted small" }, el("kbd", {}, "Enter"), " place · ", el("kbd", {}, "Esc"), " clear"),
      el("span", { class: "spacer" }), this.submit));
    this.root.replaceChildren(form);
    this.methodChanged();
  }

  setSide(side) {
    this.side = side;
    this.buy.setAttribute("aria-pressed", String(side === "buy"));
    this.sell.setAttribute("aria-pressed", String(side === "sell"));
    this.showQuote();
    this.label();
  }

  typeChanged() {
    this.limit.disabled = this.type.value !== "limit";
    if (this.limit.disabled) this.limit.value = "";
    else if (!this.limit.value) {
      const live = this.desk.prices.get(this.symbolValue()) || {};
      const side = this.side === "buy" ? live.ask : live.bid;
      if (side !== undefined) this.limit.value = Number(side).toFixed(2);
    }
    this.estimate();
  }

  methodChanged() {
    const weighted = WEIGHTED.has(this.method.value);
    this.weightHead.textContent = { percent: "Percent", ratio: "Ratio", shares: "Shares" }[this.method.value] || "Weight";
    this.touched = false;
    for (const input of this.weights.values()) {
      input.disabled = !weighted;
      input.hidden = !weighted;
    }
    if (this.method.value === "percent") this.fillPercents();
    if (this.method.value === "ratio") this.fillWeights(() => "1");
    if (this.method.value === "shares") this.fillShares();
    this.schedule();
  }

  fillWeights(each) {
    for (const input of this.weights.values()) input.value = each();
  }

  /** Equal percents in whole basis points, the first account taking what is left. */
  fillPercents() {
    const inputs = [...this.weights.values()];
    const each = Math.floor(10000 / inputs.length);
    inputs.forEach((input, i) => { input.value = percentText(i ? each : 10000 - each * (inputs.length - 1)); });
  }

  fillShares() {
    const total = Number.parseInt(this.qty.value, 10) || 0;
    const inputs = [...this.weights.values()];
    inputs.forEach((input, i) => {
      input.value = String(Math.floor(total / inputs.length) + (i < total % inputs.length ? 1 : 0));
    });
  }

  symbolChanged() {
    const symbol = this.symbolValue();
    if (this.desk.symbols.includes(symbol)) {
      this.desk.watch([symbol]);
      this.loadVenues(symbol);
    }
    this.showQuote();
    this.label();
  }

  async loadVenues(symbol) {
    try {
      const book = await api("GET", `/v2/stocks/${encodeURIComponent(symbol)}/level2`);
      const venues = new Set(["SMART"]);
      for (const level of [...(book.b || []), ...(book.a || [])]) venues.add(level.x);
      const chosen = this.route.value;
      this.route.replaceChildren(...[...venues].map((v) => el("option", { value: v, selected: v === chosen }, v)));
    } catch {
      /* the route stays SMART */
    }
  }

  showQuote() {
    const symbol = this.symbolValue();
    const live = this.desk.prices.get(symbol);
    if (!live || !this.desk.symbols.includes(symbol)) {
      this.quote.replaceChildren(el("span", {}, symbol ? "unknown symbol" : "enter a symbol"));
      return;
    }
    this.quote.replaceChildren(
      el("span", {}, "Bid ", el("b", {}, price(live.bid))),
      el("span", {}, "Ask ", el("b", {}, price(live.ask))),
      el("span", {}, "Last ", el("b", {}, price(live.last))));
    this.estimate();
  }

  reference() {
    if (this.type.value === "limit" && this.limit.value) return this.limit.value.trim();
    const live = this.desk.prices.get(this.symbolValue()) || {};
    const side = this.side === "buy" ? live.ask : live.bid;
    return side ?? live.last;
  }

  /** The instruction with its step-out (shares given up to another broker), if one is named. */
  allocation() {
    const base = this.instruction();
    const broker = this.stepBroker.value.trim().toUpperCase();
    const qty = this.stepQty.value.trim();
    if (!base || (!broker && !qty)) return base;
    if (!/^[A-Z0-9]{1,16}$/.test(broker) || !/^[1-9]\d*$/.test(qty)) return null;
    return { ...base, step_outs: [{ broker, qty: Number(qty) }] };
  }

  instruction() {
    const method = this.method.value;
    if (method === "equal" || method === "net_liquidation") return { method };
    const numbers = [...this.weights.entries()].map(([account, input]) => [account, input.value.trim()]);
    if (method === "percent") {
      const points = numbers.map(([, v]) => bps(v));
      return points.includes(null) ? null : { method, weights: points };
    }
    if (numbers.some(([, v]) => !/^\d+$/.test(v))) return null;
    if (method === "shares") {
      return { method, accounts: numbers.filter(([, v]) => Number(v) > 0).map(([account, v]) => ({ account, qty: Number(v) })) };
    }
    return { method, weights: numbers.map(([, v]) => Number(v)) };
  }

  schedule() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.previewNow(), 200);
    this.label();
  }

  async previewNow() {
    const group = this.desk.group;
    const qty = this.qty.value.trim();
    const allocation = this.allocation();
    this.preview = null;
    if (!/^[1-9]\d*$/.test(qty) || !allocation) {
      this.state.textContent = !qty ? "Enter a quantity to preview the split."
        : !allocation ? "Weights: whole numbers (percent: two decimals at most); a step-out needs a broker id and shares."
          : "Whole shares only.";
      this.state.className = "preview-state";
      this.drawPreview(null);
      return;
    }
    const asked = JSON.stringify([qty, allocation]);
    this.asked = asked;
    try {
      const answer = await api("POST", `/v2/groups/${encodeURIComponent(group.id)}/allocation_preview`,
        { qty: Number(qty), allocation });
      if (this.asked !== asked) return;
      this.preview = answer;
      this.state.textContent = `Preview: ${quantity(qty)} shares by ${answer.method.replace("_", " ")}; booked at the block's average price.`;
      this.state.className = "preview-state";
    } catch (error) {
      if (this.asked !== asked) return;
      this.state.textContent = failure(error);
      this.state.className = "preview-state error";
    }
    this.drawPreview(this.preview);
  }

  drawPreview(preview) {
    const shares = new Map((preview ? preview.accounts : []).map((a) => [a.account, a]));
    for (const [account, cells] of this.cells) {
      const share = shares.get(account);
      cells.pct.textContent = share ? `${share.percent}%` : "";
      cells.weight.textContent = !share || WEIGHTED.has(preview.method) ? ""
        : preview.method === "net_liquidation" ? `equity ${money(Number(share.weight) / 10000)}` : share.weight;
      cells.qty.textContent = share ? quantity(share.qty) : "—";
      cells.value.textContent = "";
    }
    const steps = preview ? preview.step_outs.map((s) => el("tr", { class: "stepout-row" },
      el("td", {}, `step-out ${s.broker}`), el("td"), el("td"), el("td", { class: "num" }, quantity(s.qty)), el("td"))) : [];
    this.previewFoot.replaceChildren(...steps, ...(preview ? [el("tr", {}, el("td", {}, "Block"), el("td"), el("td"),
      el("td", { class: "num" }, quantity(preview.qty)), el("td", { class: "num", id: "preview-total" }))] : []));
    this.submit.disabled = !preview;
    this.estimate();
    this.label();
  }

  /** Estimated value per account at the limit, else the far side (display only). */
  estimate() {
    if (!this.preview || !this.previewBody) return;
    const reference = this.reference();
    for (const share of this.preview.accounts) {
      const cells = this.cells.get(share.account);
      const value = reference !== undefined ? times(share.qty, reference) : null;
      if (cells) cells.value.textContent = value === null ? "" : money(text(value));
    }
    const total = document.getElementById("preview-total");
    const all = reference !== undefined ? times(this.preview.qty, reference) : null;
    if (total) total.textContent = all === null ? "" : money(text(all));
  }

  label() {
    if (!this.submit) return;
    const qty = this.qty.value.trim();
    const symbol = this.symbolValue();
    this.submit.textContent = qty && symbol ? `Place block · ${this.side.toUpperCase()} ${qty} ${symbol}` : "Place block";
    this.submit.className = `primary ${this.side}`;
  }

  body() {
    const body = {
      group_id: this.desk.group.id, symbol: this.symbolValue(), side: this.side, type: this.type.value,
      qty: Number(this.qty.value.trim()), time_in_force: this.tif.value, route: this.route.value,
      allocation: this.allocation(),
    };
    if (this.type.value === "limit") body.limit_price = this.limit.value.trim();
    return body;
  }

  async place() {
    if (!this.preview) {
      notify("Preview the allocation first: enter a symbol, a quantity and the weights.", "error");
      return;
    }
    if (!this.desk.symbols.includes(this.symbolValue())) {
      notify(`Unknown symbol ${this.symbolValue() || "(none)"}`, "error");
      this.symbol.focus();
      return;
    }
    this.submit.disabled = true;
    try {
      const block = await api("POST", "/v2/blocks", this.body());
      notify(`Block ${block.side} ${block.qty} ${block.symbol} placed for ${block.group_id} (${block.status.replace("_", " ")}).`, "ok");
      this.desk.emit("placed", block);
      this.desk.refreshSoon();
    } catch (error) {
      notify(failure(error), "error");
    } finally {
      this.submit.disabled = !this.preview;
    }
  }

  reset() {
    this.qty.value = "";
    this.stepBroker.value = "";
    this.stepQty.value = "";
    this.limit.value = "";
    this.type.value = "market";
    this.limit.disabled = true;
    this.method.value = "equal";
    this.methodChanged();
  }
}
