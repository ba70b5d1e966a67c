// Funding: for an account opened through the Broker API, its bank links (ACH relationships),
// its deposits and withdrawals and their states; the firm's journals between accounts.
// Operations staff may link a bank, move money through an approved link, journal cash or
// shares, and cancel what is still queued. Amounts go to the server as typed (decimal text).

import { api } from "../common/api.js";
import { el, money, quantity } from "../common/format.js";
import { notify } from "../common/shell.js";
import { chip, emptyRow, errorLine, field, input, select, showFailure, table, when } from "./forms.js";

export function mountFunding(panel, can) {
  panel.append(el("div", { class: "panel-head" }, el("h2", {}, "Funding"),
    el("span", { class: "muted" }, "Bank links, ACH deposits and withdrawals, and journals between accounts.")));
  if (!can.funding) {
    panel.append(el("p", { class: "muted role-note" }, "Funding needs the operations role."));
    return { refresh: async () => {} };
  }
  let accounts = [];
  const picker = select("account", [], { id: "fund-account" });
  const links = table([{ label: "Bank" }, { label: "Owner" }, { label: "Type" }, { label: "Account" }, { label: "Routing" }, { label: "Status" }], "Bank links");
  const transfers = table([{ label: "Requested" }, { label: "Direction" }, { label: "Amount", num: true }, { label: "Status" }, { label: "Reason" }, { label: "" }], "Transfers");
  const journals = table([{ label: "Date" }, { label: "Type" }, { label: "From" }, { label: "To" }, { label: "Amount / shares", num: true }, { label: "Status" }, { label: "Description" }, { label: "" }], "Journals");

  // --- forms -----------------------------------------------------------------------------
  const linkError = errorLine();
  const linkForm = el("form", { class: "form-row", "aria-label": "Link a bank account" },
    field("Owner name", input("account_owner_name", { required: true })),
    field("Type", select("bank_account_type", [["CHECKING", "Checking"], ["SAVINGS", "Savings"]])),
    field("Bank account number", input("bank_account_number", { inputmode: "numeric", required: true })),
    field("Routing number", input("bank_routing_number", { inputmode: "numeric", required: true })),
    field("Nickname", input("nickname")),
    el("button", { type: "submit" }, "Link bank"));
  const moveError = errorLine();
  const relationship = select("relationship_id", [], { id: "fund-relationship" });
  const moveForm = el("form", { class: "form-row", id: "fund-transfer", "aria-label": "Deposit or withdraw" },
    field("Direction", select("direction", [["INCOMING", "Deposit (from bank)"], ["OUTGOING", "Withdrawal (to bank)"]])),
    field("Through", relationship),
    field("Amount (USD)", input("amount", { inputmode: "decimal", placeholder: "0.00", required: true })),
    el("button", { type: "submit", class: "primary" }, "Send to bank"));
  const journalError = errorLine();
  const entry = select("entry_type", [["JNLC", "Cash (JNLC)"], ["JNLS", "Shares (JNLS)"]], { id: "jnl-type" });
  const from = select("from_account", [], { id: "jnl-from" });
  const to = select("to_account", [], { id: "jnl-to" });
  const amount = field("Amount (USD)", input("amount", { inputmode: "decimal", placeholder: "0.00" }));
  const symbol = field("Symbol", input("symbol", { placeholder: "AAPL" }));
  const shares = field("Shares", input("qty", { inputmode: "numeric" }));
  const journalForm = el("form", { class: "form-row", id: "jnl-form", "aria-label": "Journal between accounts" },
    field("Kind", entry), field("From", from), field("To", to), amount, symbol, shares,
    field("Description", input("description", { maxlength: "1024" })),
    el("button", { type: "submit" }, "Journal"));
  const showKind = () => { const cash = entry.value === "JNLC"; amount.hidden = !cash; symbol.hidden = cash; shares.hidden = cash; };
  entry.addEventListener("change", showKind);
  to.addEventListener("change", () => { to.dataset.touched = "1"; });
  showKind();

  panel.append(
    el("div", { class: "form-row compact" }, field("Account", picker), el("span", { class: "muted", id: "fund-hint" })),
    el("div", { class: "columns" },
      el("div", { class: "card" }, el("h3", {}, "Bank links"), links.node, el("details", {}, el("summary", {}, "Link a bank account"), linkForm, linkError)),
      el("div", { class: "card" }, el("h3", {}, "Deposits and withdrawals"), transfers.node, moveForm, moveError)),
    el("div", { class: "card" }, el("h3", {}, "Journals"), journals.node, journalForm, journalError),
  );

  const values = (form) => Object.fromEntries([...form.querySelectorAll("[name]")].filter((c) => !c.closest("[hidden]") && c.value.trim() !== "").map((c) => [c.name, c.value.trim()]));
  const label = (id) => { const a = accounts.find((x) => x.id === id); return a ? a.account_number : id.slice(0, 8); };

  async function submit(form, line, action, done) {
    showFailure(line, form, null);
    try {
      const result = await action(values(form));
      notify(done(result), "ok");
      form.reset();
      showKind();
      await refresh();
    } catch (failure) {
      showFailure(line, form, failure);
    }
  }
  linkForm.addEventListener("submit", (event) => { event.preventDefault(); submit(linkForm, linkError, (body) => api("POST", `/v1/accounts/${picker.value}/ach_relationships`, body), (r) => `Bank link ${r.nickname || r.bank_account_number} ${r.status.toLowerCase()}`); });
  moveForm.addEventListener("submit", (event) => { event.preventDefault(); submit(moveForm, moveError, (body) => api("POST", `/v1/accounts/${picker.value}/transfers`, { ...body, transfer_type: "ach" }), (t) => `${t.direction === "INCOMING" ? "Deposit" : "Withdrawal"} of ${money(t.amount)} ${t.status.toLowerCase()}`); });
  journalForm.addEventListener("submit", (event) => { event.preventDefault(); submit(journalForm, journalError, (body) => api("POST", "/v1/journals", body), (j) => `Journal ${j.entry_type} ${j.status}`); });

  async function cancel(path, what) {
    try {
      await api("DELETE", path);
      notify(`${what} canceled`, "ok");
      await refresh();
    } catch (failure) {
      notify(`${what}: ${failure.message}`, "error");
    }
  }

  async function refresh() {
    try {
      accounts = await api("GET", "/v1/accounts", undefined, { query: { status: "ACTIVE,ACCOUNT_CLOSED" } });
    } catch (failure) {
      document.getElementById("fund-hint").textContent = failure.message;
      return;
    }
    const keep = picker.value;
    const options = accounts.map((a) => el("option", { value: a.id }, `${a.account_number} · ${[a.identity?.given_name, a.identity?.family_name].filter(Boolean).join(" ")}`));
    picker.replaceChildren(...options);
    for (const side of [from, to]) {
      const was = side.value;
      side.replaceChildren(...accounts.map((a) => el("option", { value: a.id }, a.account_number)));
      if (was) side.value = was;
    }
    // A journal moves between two accounts: start with two different ones.
    if (!to.dataset.touched && accounts.length > 1 && to.value === from.value) to.value = accounts[1].id;
    if (keep && accounts.some((a) => a.id === keep)) picker.value = keep;
    document.getElementById("fund-hint").textContent = accounts.length
      ? "Accounts opened through the Broker API."
      : "No account opened through the Broker API yet: approve an application first.";
    await drawAccount();
    const all = await api("GET", "/v1/journals");
    const mine = picker.value ? all.filter((j) => j.from_account === picker.value || j.to_account === picker.value) : all;
    journals.body.replaceChildren(...(mine.length ? mine.slice().reverse().map((j) => el("tr", {},
      el("td", {}, j.system_date || ""), el("td", {}, j.entry_type), el("td", {}, label(j.from_account)), el("td", {}, label(j.to_account)),
      el("td", { class: "num" }, j.entry_type === "JNLC" ? money(j.net_amount) : `${quantity(j.qty)} ${j.symbol}`),
      el("td", {}, chip(j.status)), el("td", {}, j.reason || j.description || ""),
      el("td", { class: "num" }, j.status === "queued" ? el("button", { type: "button", onclick: () => cancel(`/v1/journals/${j.id}`, "Journal") }, "Cancel") : null)))
      : [emptyRow(journals.columns, "No journals for this account.")]));
  }

  async function drawAccount() {
    const account = picker.value;
    if (!account) {
      links.body.replaceChildren(emptyRow(links.columns, "—"));
      transfers.body.replaceChildren(emptyRow(transfers.columns, "—"));
      relationship.replaceChildren();
      return;
    }
    const [rels, moves] = await Promise.all([
      api("GET", `/v1/accounts/${account}/ach_relationships`),
      api("GET", `/v1/accounts/${account}/transfers`),
    ]);
    links.body.replaceChildren(...(rels.length ? rels.map((r) => el("tr", {},
      el("td", {}, r.nickname || "—"), el("td", {}, r.account_owner_name), el("td", {}, r.bank_account_type.toLowerCase()),
      el("td", {}, `…${r.bank_account_number.slice(-4)}`), el("td", {}, r.bank_routing_number), el("td", {}, chip(r.status))))
      : [emptyRow(links.columns, "No bank linked.")]));
    const approved = rels.filter((r) => r.status === "APPROVED");
    relationship.replaceChildren(...(approved.length
      ? approved.map((r) => el("option", { value: r.id }, `${r.nickname || "bank"} …${r.bank_account_number.slice(-4)}`))
      : [el("option", { value: "" }, rels.length ? "bank link not approved yet" : "no bank linked")]));
    transfers.body.replaceChildren(...(moves.length ? moves.slice().reverse().map((t) => el("tr", {},
      el("td", {}, when(t.created_at)), el("td", {}, t.direction === "INCOMING" ? "deposit" : "withdrawal"),
      el("td", { class: "num" }, money(t.amount)), el("td", {}, chip(t.status)), el("td", {}, t.reason || ""),
      el("td", { class: "num" }, t.status === "QUEUED" ? el("button", { type: "button", onclick: () => cancel(`/v1/accounts/${account}/transfers/${t.id}`, "Transfer") }, "Cancel") : null)))
      : [emptyRow(transfers.columns, "No transfers.")]));
  }
  picker.addEventListener("change", refresh);
  return { refresh };
}
