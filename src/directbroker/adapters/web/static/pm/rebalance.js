// Rebalancing the group to a target model, with its review step. The manager states the
// model (assets and their percent; cash is what they leave), the server proposes each
// account's orders with the core's own planner (POST /v2/groups/{id}/rebalance_preview,
// nothing sent), the manager reviews them per account and as the blocks they make, and only
// then sends them: each symbol and side as one block pre-allocated by shares, sells first,
// buys once the sells are done. Blocks take the core's checks like any other.

import { api } from "../common/api.js";
import { notify, failure } from "../common/shell.js";
import { el, money, price, quantity } from "../common/format.js";
import { bps, percentText } from "./decimal.js";

const POLL_MS = 1500;

export class RebalancePanel {
  constructor(desk, root) {
    this.desk = desk;
    this.root = root;
    this.lines = [];
    this.plan = null;
    this.sending = false;
    desk.on("group", () => this.draw());
    desk.on("groups", () => this.draw());
    desk.on("exposure", () => this.suggest());
    this.draw();
  }

  draw() {
    if (!this.desk.group) {
      this.root.replaceChildren(el("div", { class: "empty" }, "Choose a group."));
      return;
    }
    this.plan = null;
    this.linesBody = el("tbody", { id: "model-lines" });
    this.cash = el("td", { class: "num", id: "model-cash" });
    this.kind = el("select", { id: "rebalance-type", "aria-label": "Rebalance type" },
      el("option", { value: "full_rebalance" }, "Full rebalance"), el("option", { value: "invest_cash" }, "Invest cash only"));
    this.review = el("div", { class: "review", id: "rebalance-review" });
    this.previewButton = el("button", { type: "submit", id: "preview-rebalance" }, "Preview orders");
    const form = el("form", { class: "model", id: "model-form", novalidate: true,
      onsubmit: (event) => { event.preventDefault(); this.preview(); },
      onkeydown: (event) => { if (event.key === "Escape") { event.preventDefault(); this.clearReview(); } } },
    el("table", { class: "data model-lines" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Symbol"), el("th", { class: "num", scope: "col" }, "Target %"), el("th"))),
      this.linesBody,
      el("tfoot", {}, el("tr", {}, el("td", {}, "Cash"), this.cash, el("td")))),
    el("div", { class: "row" },
      el("button", { type: "button", id: "add-model-line", onclick: () => this.addLine("", "", true) }, "Add symbol"),
      el("label", {}, "Type", this.kind), this.previewButton,
      el("span", { class: "muted small" }, "Orders are proposed, not sent: review them, then send.")));
    this.review.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || this.sending) return;
      event.preventDefault();
      if (this.send && this.send.dataset.armed === "yes") this.disarm();
      else this.clearReview();
    });
    this.root.replaceChildren(form, this.review);
    this.lines = [];
    const held = this.desk.exposure ? this.desk.exposure.symbols.map((s) => s.symbol) : [];
    if (held.length) for (const symbol of held) this.addLine(symbol, "");
    else this.addLine("", "");
    this.total();
  }

  /** An untouched model starts from the group's holdings (the manager sets the percents). */
  suggest() {
    const untouched = this.lines.length === 1 && !this.lines[0].sym.value && !this.lines[0].pct.value;
    const held = this.desk.exposure ? this.desk.exposure.symbols.map((s) => s.symbol) : [];
    if (!untouched || !held.length || document.activeElement === this.lines[0].sym) return;
    this.linesBody.replaceChildren();
    this.lines = [];
    for (const symbol of held) this.addLine(symbol, "");
    this.total();
  }

  addLine(symbol, percent, focus = false) {
    const sym = el("input", { class: "sym model-symbol", list: "block-symbols", value: symbol, autocomplete: "off",
      "aria-label": "Model symbol", oninput: () => this.total() });
    const pct = el("input", { class: "pct model-percent", inputmode: "decimal", value: percent,
      "aria-label": "Target percent", oninput: () => this.total() });
    const line = { sym, pct };
    const row = el("tr", {}, el("td", {}, sym), el("td", { class: "num" }, pct),
      el("td", {}, el("button", { type: "button", "aria-label": "Remove line", onclick: () => {
        this.lines = this.lines.filter((l) => l !== line);
        row.remove();
        this.total();
      } }, "×")));
    this.lines.push(line);
    this.linesBody.append(row);
    if (focus) sym.focus();
  }

  /** The model as the route takes it, or a reason it is not one yet. */
  model() {
    const weights = [];
    let used = 0;
    for (const { sym, pct } of this.lines) {
      const symbol = sym.value.trim().toUpperCase();
      if (!symbol && !pct.value.trim()) continue;
      const points = bps(pct.value);
      if (!symbol || points === null || points === 0) return { problem: `Give ${symbol || "each line"} a symbol and a percent above 0 (two decimals at most).` };
      used += points;
      weights.push({ type: "asset", symbol, percent: pct.value.trim() });
    }
    if (!weights.length) return { problem: "Add at least one symbol with its target percent." };
    if (used > 10000) return { problem: `The assets add up to ${percentText(used)}%, more than 100%.` };
    if (used < 10000) weights.push({ type: "cash", percent: percentText(10000 - used) });
    return { weights, cash: 10000 - used };
  }

  total() {
    const model = this.model();
    this.cash.textContent = model.problem ? "—" : `${percentText(model.cash)}%`;
  }

  clearReview() {
    this.plan = null;
    this.review.replaceChildren();
  }

  async preview() {
    const model = this.model();
    if (model.problem) {
      notify(model.problem, "error");
      return;
    }
    try {
      this.plan = await api("POST", `/v2/groups/${encodeURIComponent(this.desk.group.id)}/rebalance_preview`,
        { weights: model.weights, type: this.kind.value });
      this.drawReview();
    } catch (error) {
      notify(failure(error), "error");
    }
  }

  drawReview() {
    const plan = this.plan;
    const orderRows = [];
    for (const account of plan.accounts) {
      orderRows.push(el("tr", { class: "acct-head" }, el("td", { colspan: 4 }, account.account),
        el("td", { class: "num muted" }, `equity ${money(account.equity)}`), el("td", { class: "num muted" }, `cash ${money(account.cash)}`)));
      if (!account.orders.length && !account.skipped.length) {
        orderRows.push(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "already at the model: no orders")));
      }
      for (const order of account.orders) {
        orderRows.push(el("tr", { class: "proposed-order", dataset: { account: account.account } },
          el("td", { class: `side-${order.side}` }, order.side.toUpperCase()), el("td", {}, order.symbol),
          el("td", { class: "num" }, quantity(order.qty)),
          el("td", { class: "num muted" }, `${quantity(order.held)} → ${quantity(order.target)}`),
          el("td", { class: "num" }, price(order.reference_price)),
          el("td", { class: "num" }, money(order.notional))));
      }
      for (const skip of account.skipped) {
        orderRows.push(el("tr", {}, el("td", { colspan: 6, class: "down" }, `${skip.symbol}: ${skip.reason}`)));
      }
    }
    this.blockStatus = new Map();
    const blockRows = plan.blocks.map((block, index) => {
      const status = el("td", { class: "send-status muted" }, "proposed");
      this.blockStatus.set(index, status);
      return el("tr", { class: "proposed-block" },
        el("td", { class: `side-${block.side}` }, block.side.toUpperCase()), el("td", {}, block.symbol),
        el("td", { class: "num" }, quantity(block.qty)),
        el("td", {}, block.allocation.accounts.map((a) => `${a.account} ${a.qty}`).join(" · ")), status);
    });
    this.send = el("button", { type: "button", class: "primary", id: "send-rebalance", disabled: !plan.blocks.length,
      onclick: () => this.confirmOrSend() }, plan.blocks.length ? `Send ${plan.blocks.length} block${plan.blocks.length > 1 ? "s" : ""}` : "Nothing to send");
    this.cancel = el("button", { type: "button", id: "discard-rebalance", onclick: () => this.clearReview() }, "Discard");
    this.review.replaceChildren(
      el("div", {}, el("h3", {}, "Proposed orders by account"),
        el("table", { class: "data", id: "proposed-orders" },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Side"), el("th", { scope: "col" }, "Symbol"),
            el("th", { class: "num", scope: "col" }, "Qty"), el("th", { class: "num", scope: "col" }, "Held → target"),
            el("th", { class: "num", scope: "col" }, "Ref. price"),
            el("th", { class: "num", scope: "col" }, "Notional"))),
          el("tbody", {}, orderRows))),
      el("div", {}, el("h3", {}, "As blocks (sells first, allocated by shares)"),
        el("table", { class: "data", id: "proposed-blocks" },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Side"), el("th", { scope: "col" }, "Symbol"),
            el("th", { class: "num", scope: "col" }, "Qty"), el("th", { scope: "col" }, "Allocation"), el("th", { scope: "col" }, "State"))),
          el("tbody", {}, blockRows.length ? blockRows : [el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No trades needed."))])),
        el("div", { class: "submit-row", style: "margin-top: 6px" },
          el("span", { class: "muted small" }, "Market DAY orders at the prices shown as reference."),
          el("span", { class: "spacer" }), this.cancel, this.send)));
  }

  confirmOrSend() {
    if (this.sending) return;
    if (this.send.dataset.armed !== "yes") {
      this.send.dataset.armed = "yes";
      this.send.textContent = `Confirm: send ${this.plan.blocks.length} to market`;
      this.send.classList.add("danger");
      return;
    }
    this.execute();
  }

  disarm() {
    delete this.send.dataset.armed;
    this.send.classList.remove("danger");
    this.send.textContent = `Send ${this.plan.blocks.length} block${this.plan.blocks.length > 1 ? "s" : ""}`;
  }

  async execute() {
    this.sending = true;
    this.send.disabled = true;
    this.cancel.disabled = true;
    const plan = this.plan;
    const group = this.desk.group.id;
    const sells = plan.blocks.map((b, i) => [b, i]).filter(([b]) => b.side === "sell");
    const buys = plan.blocks.map((b, i) => [b, i]).filter(([b]) => b.side === "buy");
    try {
      const sent = await this.place(group, sells);
      if (sells.length) await this.settle(sent);
      await this.settle(await this.place(group, buys));
      notify("Rebalance sent: every block is done.", "ok");
    } catch (error) {
      notify(failure(error), "error");
    } finally {
      this.sending = false;
      this.send.textContent = "Sent";
      this.desk.refreshSoon();
    }
  }

  async place(group, blocks) {
    const placed = [];
    for (const [block, index] of blocks) {
      const cell = this.blockStatus.get(index);
      try {
        const answer = await api("POST", "/v2/blocks", {
          group_id: group, symbol: block.symbol, side: block.side, type: "market", qty: Number(block.qty),
          time_in_force: "day", route: "SMART", allocation: block.allocation,
        });
        this.mark(cell, answer.status);
        placed.push([answer, cell]);
        this.desk.emit("blocks");
      } catch (error) {
        cell.textContent = `refused: ${failure(error)}`;
        cell.className = "send-status down";
      }
    }
    return placed;
  }

  mark(cell, status) {
    cell.replaceChildren(el("span", { class: `badge ${status}` }, status.replace("_", " ")));
    cell.className = "send-status";
  }

  /** Wait until every placed block is done (allocated or finished), showing each state. */
  async settle(placed) {
    let open = placed.filter(([b]) => b.status === "working" || b.status === "awaiting_allocation");
    while (open.length) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const still = [];
      for (const [block, cell] of open) {
        const fresh = await api("GET", `/v2/blocks/${block.id}`);
        this.mark(cell, fresh.status);
        if (fresh.status === "working" || fresh.status === "awaiting_allocation") still.push([fresh, cell]);
      }
      open = still;
    }
  }
}
