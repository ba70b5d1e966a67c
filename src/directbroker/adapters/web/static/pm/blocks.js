// The block blotter of the chosen group and the selected block in detail: the parent's fills
// as they come (polled every 1.5 s while it works, and at once on any order event), each
// account's pre-trade share against what it was allocated at the average price, and the
// venues that filled it. A working block can be cancelled; its fills are then allocated.

import { api } from "../common/api.js";
import { notify, failure } from "../common/shell.js";
import { clock, el, money, price, quantity } from "../common/format.js";

const POLL_MS = 1500;
const LIST_MS = 5000;
const LIVE = new Set(["working", "awaiting_allocation"]);

function badge(status) {
  return el("span", { class: `badge ${status}` }, status.replace("_", " "));
}

function progress(block) {
  const filled = Number(block.order ? block.order.filled_qty : 0);
  const whole = Number(block.qty) || 1;
  const bar = el("span", { style: `width: ${Math.min(100, (100 * filled) / whole).toFixed(1)}%` });
  return el("div", { class: `progress ${block.status === "allocated" ? "done" : ""}`, role: "progressbar",
    "aria-valuemin": "0", "aria-valuemax": block.qty, "aria-valuenow": String(filled),
    "aria-label": `filled ${filled} of ${block.qty}` }, bar);
}

export class BlockBlotter {
  constructor(desk, root) {
    this.desk = desk;
    this.root = root;
    this.blocks = [];
    this.selected = null;
    this.pollTimer = 0;
    this.table = el("tbody", { id: "block-rows" });
    this.detail = el("div", { class: "block-detail", id: "block-detail", "aria-live": "polite" });
    root.replaceChildren(
      el("div", { class: "blotter-wrap" }, el("table", { class: "data", id: "blocks-table" },
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", class: "wide" }, "Time"), el("th", { scope: "col" }, "Side"), el("th", { scope: "col" }, "Symbol"),
          el("th", { class: "num", scope: "col" }, "Qty"), el("th", { class: "num", scope: "col" }, "Filled"),
          el("th", { class: "num", scope: "col" }, "Avg px"), el("th", { scope: "col", class: "wide" }, "Method"),
          el("th", { scope: "col" }, "Status"))),
        this.table)),
      this.detail);
    desk.on("group", () => { this.selected = null; this.load(); });
    desk.on("blocks", () => this.load());
    desk.on("placed", (block) => { this.selected = block.id; this.merge(block); this.watch(); });
    setInterval(() => this.load(), LIST_MS);
  }

  async load() {
    if (!this.desk.group) return;
    try {
      const all = await api("GET", "/v2/blocks");
      this.blocks = all.filter((b) => b.group_id === this.desk.group.id);
      this.draw();
      if (this.selected) this.watch();
    } catch (error) {
      notify(failure(error), "error");
    }
  }

  merge(block) {
    const at = this.blocks.findIndex((b) => b.id === block.id);
    if (at >= 0) this.blocks[at] = block;
    else this.blocks.unshift(block);
    this.draw();
  }

  draw() {
    // A redraw must not take the keyboard's place away from the row it was on.
    const focused = this.table.contains(document.activeElement) ? document.activeElement.dataset.block : null;
    this.drawRows();
    if (focused) {
      const row = this.table.querySelector(`tr[data-block="${CSS.escape(focused)}"]`);
      if (row) row.focus();
    }
    this.drawDetail();
  }

  drawRows() {
    if (!this.blocks.length) {
      this.table.replaceChildren(el("tr", {}, el("td", { colspan: 8, class: "empty" }, "No blocks for this group today.")));
    } else {
      this.table.replaceChildren(...this.blocks.map((b) => {
        const choose = () => { this.selected = b.id; this.draw(); this.watch(); };
        return el("tr", { tabindex: "0", class: b.id === this.selected ? "selected" : "", dataset: { block: b.id },
          "aria-current": b.id === this.selected ? "true" : false, onclick: choose,
          onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(); } } },
        el("td", { class: "wide" }, clock(b.created_at).slice(0, 8)),
        el("td", { class: `side-${b.side}` }, b.side.toUpperCase()), el("td", {}, b.symbol),
        el("td", { class: "num" }, quantity(b.qty)),
        el("td", { class: "num" }, quantity(b.order ? b.order.filled_qty : "0")),
        el("td", { class: "num" }, price(b.filled_avg_price || (b.order && b.order.filled_avg_price))),
        el("td", { class: "wide" }, (b.allocation_method || "—").replace("_", " ")),
        el("td", { class: "block-status" }, badge(b.status)));
      }));
    }
  }

  drawDetail() {
    const block = this.blocks.find((b) => b.id === this.selected);
    if (!block) {
      this.detail.replaceChildren(el("div", { class: "muted small" }, "Select a block to follow its fills and allocation."));
      return;
    }
    const allocated = new Map(block.allocations.map((a) => [a.account, a]));
    const rows = block.shares.map((s) => {
      const got = allocated.get(s.account);
      return el("tr", { dataset: { account: s.account } },
        el("td", { class: "acct" }, s.account), el("td", { class: "num" }, quantity(s.qty)),
        el("td", { class: "num allocated-qty" }, got ? quantity(got.qty) : "—"),
        el("td", { class: "num" }, got ? price(got.price, 4) : ""));
    });
    for (const step of block.step_outs) {
      rows.push(el("tr", {}, el("td", {}, `step-out ${step.broker}`), el("td", { class: "num" }, quantity(step.qty)),
        el("td", { class: "num" }, step.allocated_qty ? quantity(step.allocated_qty) : "—"), el("td")));
    }
    const order = block.order || {};
    const venues = (order.children || []).filter((c) => Number(c.filled_qty) > 0)
      .map((c) => `${c.venue} ${quantity(c.filled_qty)}`).join(" · ");
    const cancel = LIVE.has(block.status) && block.status === "working"
      ? el("button", { type: "button", class: "danger", id: "cancel-block", onclick: () => this.cancel(block) }, "Cancel rest")
      : null;
    this.detail.replaceChildren(
      el("h3", {}, `${block.side.toUpperCase()} ${quantity(block.qty)} ${block.symbol}`, badge(block.status), progress(block),
        el("span", { class: "muted small" }, `${order.type || ""} ${order.limit_price ? "@ " + price(order.limit_price) : ""} · ${order.time_in_force || ""}`),
        el("span", { class: "spacer" }), cancel),
      el("table", { class: "data", id: "allocation-table" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Account"), el("th", { class: "num", scope: "col" }, "Pre-trade share"),
          el("th", { class: "num", scope: "col" }, "Allocated"), el("th", { class: "num", scope: "col" }, "At avg price"))),
        el("tbody", {}, rows)),
      el("div", { class: "muted small" },
        `Filled ${quantity(order.filled_qty || "0")} of ${quantity(block.qty)}`,
        block.filled_avg_price ? ` · average ${price(block.filled_avg_price, 4)}` : "",
        venues ? ` · venues ${venues}` : "",
        block.residual && Number(block.residual) ? ` · residual ${money(block.residual)} kept by ${block.parent_account}` : ""));
  }

  /** Poll the selected block while it is live (at most every 1.5 s). */
  watch() {
    clearTimeout(this.pollTimer);
    const block = this.blocks.find((b) => b.id === this.selected);
    if (!block || !LIVE.has(block.status)) return;
    this.pollTimer = setTimeout(async () => {
      try {
        const fresh = await api("GET", `/v2/blocks/${block.id}`);
        const was = block.status;
        this.merge(fresh);
        if (fresh.status !== was) {
          if (fresh.status === "allocated") notify(`Block ${fresh.side} ${fresh.qty} ${fresh.symbol} allocated at ${price(fresh.filled_avg_price, 4)}.`, "ok");
          this.desk.refreshSoon();
        }
      } catch (error) {
        notify(failure(error), "error");
      }
      this.watch();
    }, POLL_MS);
  }

  async cancel(block) {
    try {
      this.merge(await api("DELETE", `/v2/blocks/${block.id}`));
      notify("Cancel sent; what filled will be allocated.", "ok");
    } catch (error) {
      notify(failure(error), "error");
    }
  }
}
