// The group bar: which group (when the key manages several), its member accounts and the
// group's totals (equity, day and unrealised P&L, margin calls) from the exposure route.

import { el, money, signed } from "../common/format.js";
import { sum } from "./decimal.js";

export class GroupPanel {
  constructor(desk, root) {
    this.desk = desk;
    this.root = root;
    desk.on("groups", () => this.draw());
    desk.on("group", () => this.draw());
    desk.on("exposure", () => this.totals());
    this.draw();
  }

  draw() {
    const { groups, group } = this.desk;
    if (!groups.length) {
      this.root.replaceChildren(el("div", { class: "empty" }, "This key manages no account group."));
      return;
    }
    const select = el("select", { id: "group-select", "aria-label": "Account group",
      onchange: (event) => this.desk.choose(event.target.value) },
    ...groups.map((g) => el("option", { value: g.id, selected: group && g.id === group.id }, `${g.id} · ${g.name || g.id}`)));
    const members = group ? group.accounts.map((a) => el("span", { class: "chip account-chip" }, a)) : [];
    this.kpiBox = el("div", { class: "group-kpis", style: "display: contents" });
    this.root.replaceChildren(
      el("div", { class: "chooser" },
        el("label", { for: "group-select" }, "Group"), select,
        el("div", { class: "members", id: "group-members", "aria-label": "member accounts" }, members)),
      this.kpiBox,
    );
    this.totals();
  }

  totals() {
    if (!this.kpiBox) return;
    const x = this.desk.exposure;
    const kpi = (label, value, tone = "", id = "") =>
      el("div", { class: "kpi" }, el("span", { class: "label" }, label),
        el("span", { class: `value ${tone}`, id: id || undefined }, value));
    if (!x) {
      this.kpiBox.replaceChildren(kpi("Equity", "…"));
      return;
    }
    const day = signed(x.day_pl);
    const unreal = signed(x.unrealized_pl);
    const real = signed(x.realized_pl);
    const long = sum(x.accounts.map((a) => a.long_market_value));
    const cash = sum(x.accounts.map((a) => a.cash));
    this.kpiBox.replaceChildren(
      kpi("Group equity", money(x.equity), "", "group-equity"),
      kpi("Day P&L", day.text, day.tone, "group-day-pl"),
      kpi("Unrealised P&L", unreal.text, unreal.tone),
      kpi("Realised P&L", real.text, real.tone),
      kpi("Long value", money(long)),
      kpi("Cash", money(cash)),
      kpi("Margin calls", String(x.margin_calls), x.margin_calls ? "warn" : ""),
    );
  }
}
