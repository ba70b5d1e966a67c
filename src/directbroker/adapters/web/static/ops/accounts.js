// Account approvals: applications waiting for a person (APPROVAL_PENDING, ACTION_REQUIRED),
// the applicant's details as submitted, the KYC outcome (eligibility passed at submission;
// why review is needed, from the account status events) and the decision with its reason.
// The status event stream keeps the list current while the section is open.

import { api } from "../common/api.js";
import { el } from "../common/format.js";
import { notify } from "../common/shell.js";
import { chip, confirmAction, emptyRow, errorLine, field, input, select, showFailure, table, when } from "./forms.js";

const AWAITING = "APPROVAL_PENDING,ACTION_REQUIRED";
const FILTERS = [
  [AWAITING, "Awaiting review"],
  ["ACTIVE", "Active"],
  ["REJECTED", "Rejected"],
  ["ACCOUNT_CLOSED", "Closed"],
  ["", "All"],
];
const DISCLOSURES = {
  is_control_person: "Control person of a public company",
  is_affiliated_exchange_or_finra: "Affiliated with an exchange or FINRA",
  is_politically_exposed: "Politically exposed person",
  immediate_family_exposed: "Immediate family politically exposed",
};

/** Mounts the section; `onCount(n)` is told how many applications await review. */
export function mountAccounts(panel, can, onCount) {
  const history = new Map(); // account id -> status events, oldest first
  let selected = "";
  let accounts = [];

  const status = select("status", FILTERS, { id: "acct-filter" });
  const search = input("query", { id: "acct-search", type: "search", placeholder: "name, email, number" });
  const grid = table(
    [{ label: "Number" }, { label: "Applicant" }, { label: "Type" }, { label: "Status" }, { label: "Submitted" }],
    "Account applications",
  );
  const detail = el("div", { id: "acct-detail", class: "detail idle" }, el("p", { class: "muted" }, "Select an application to review it."));
  panel.append(
    el("div", { class: "panel-head" }, el("h2", {}, "Account approvals"),
      el("span", { class: "muted" }, "Applications that passed eligibility and need a decision by operations or compliance.")),
    el("div", { class: "split" },
      el("div", { class: "list-side", id: "acct-list" },
        el("form", { class: "form-row compact", role: "search", onsubmit: (event) => { event.preventDefault(); load(); } },
          field("Show", status), field("Search", search)),
        grid.node),
      detail),
  );
  if (!can.reviewAccounts) {
    panel.replaceChildren(el("h2", {}, "Account approvals"), el("p", { class: "muted role-note" }, "Reviewing applications needs the operations or compliance role."));
    return { refresh: async () => {} };
  }
  status.addEventListener("change", load);
  let typing = 0;
  search.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(load, 250); });

  async function load() {
    try {
      accounts = await api("GET", "/v1/accounts", undefined, { query: { status: status.value, query: search.value.trim(), sort: "asc" } });
    } catch (failure) {
      grid.body.replaceChildren(emptyRow(grid.columns, `Could not load applications: ${failure.message}`));
      return;
    }
    drawList();
    const waiting = status.value === AWAITING && !search.value.trim()
      ? accounts.length
      : (await api("GET", "/v1/accounts", undefined, { query: { status: AWAITING } })).length;
    onCount(waiting);
    if (selected) {
      const current = accounts.find((a) => a.id === selected) || (await api("GET", `/v1/accounts/${selected}`));
      drawDetail(current);
    }
  }

  function drawList() {
    grid.body.replaceChildren(
      ...(accounts.length
        ? accounts.map((account) => {
          const row = el("tr", {
            tabindex: "0", class: account.id === selected ? "selected clickable" : "clickable", dataset: { id: account.id },
            "aria-current": account.id === selected ? "true" : undefined,
            onclick: () => choose(account),
            onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(account); } },
          },
          el("td", {}, account.account_number),
          el("td", {}, applicant(account)),
          el("td", {}, account.trading_type),
          el("td", {}, chip(account.status)),
          el("td", {}, when(account.created_at)));
          return row;
        })
        : [emptyRow(grid.columns, status.value === AWAITING ? "No application is waiting for review." : "No accounts match.")]),
    );
  }

  function choose(account) {
    selected = account.id;
    drawList();
    drawDetail(account);
    // On a phone the detail is under the list: bring it into view.
    if (window.matchMedia("(max-width: 700px)").matches) detail.scrollIntoView({ block: "start" });
  }

  function drawDetail(account) {
    const identity = account.identity || {};
    const contact = account.contact || {};
    const flags = Object.entries(DISCLOSURES).filter(([name]) => (account.disclosures || {})[name]);
    const events = history.get(account.id) || [];
    const review = [...events].reverse().find((e) => e.status_to === "ACTION_REQUIRED" || e.status_to === "APPROVAL_PENDING");
    const signed = (account.agreements || []).map((a) => a.agreement.replaceAll("_", " "));
    const address = [...(contact.street_address || []), contact.unit, [contact.city, contact.state, contact.postal_code].filter(Boolean).join(" "), contact.country].filter(Boolean);
    const facts = [
      ["Account number", account.account_number],
      ["Account id", account.id],
      ["Trading type", account.trading_type],
      ["Date of birth", identity.date_of_birth],
      ["Citizenship", identity.country_of_citizenship],
      ["Tax residence", identity.country_of_tax_residence],
      ["Tax id type", identity.tax_id_type],
      ["Funding source", (identity.funding_source || []).join(", ").replaceAll("_", " ")],
      ["Email", contact.email_address],
      ["Phone", contact.phone_number],
      ["Address", address.join(", ")],
      ["Agreements signed", signed.join(", ")],
      ["Trusted contact", account.trusted_contact ? `${account.trusted_contact.given_name || ""} ${account.trusted_contact.family_name || ""}`.trim() : "none"],
    ];
    const kyc = el("div", { class: "kyc" },
      el("div", { class: "kyc-line good" }, "✓ Eligibility checks passed at submission (identity fields, sanctions, country and state, minimum age, customer agreement)."),
      flags.length
        ? el("div", { class: "kyc-line warn" }, "⚑ Disclosed: ", flags.map(([, text]) => text).join("; "))
        : el("div", { class: "kyc-line good" }, "✓ No disclosures"),
      review && review.reason ? el("div", { class: "kyc-line muted" }, `Routed to ${review.status_to.toLowerCase().replaceAll("_", " ")}: ${review.reason}`) : null,
    );
    const awaiting = AWAITING.split(",").includes(account.status);
    detail.classList.remove("idle");
    detail.replaceChildren(
      el("div", { class: "detail-head" }, el("h3", {}, applicant(account)), el("span", { id: "acct-status" }, chip(account.status))),
      el("h4", {}, "KYC outcome"), kyc,
      el("h4", {}, "Applicant"),
      el("dl", { class: "facts" }, ...facts.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value || "—")])),
      events.length ? el("h4", {}, "Status history") : null,
      events.length ? el("ol", { class: "timeline" }, ...events.map((e) =>
        el("li", {}, el("span", { class: "muted" }, when(e.at)), " ", chip(e.status_to), e.reason ? ` ${e.reason}` : ""))) : null,
      awaiting ? decisionForm(account) : null,
    );
  }

  function decisionForm(account) {
    const reason = input("reason", { id: "acct-reason", placeholder: "required to reject; kept in the audit trail", maxlength: "256" });
    const error = errorLine();
    const approve = el("button", { type: "button", id: "acct-approve", class: "primary" }, "Approve");
    const reject = el("button", { type: "button", id: "acct-reject", class: "danger" }, "Reject…");
    const form = el("form", { class: "decision", "aria-label": "Decision", onsubmit: (event) => { event.preventDefault(); decide("approve"); } },
      field("Reason", reason), el("div", { class: "actions" }, approve, reject), error);

    async function decide(decision) {
      showFailure(error, form, null);
      if (decision === "reject") {
        if (!reason.value.trim()) {
          showFailure(error, form, { message: "reason: give the reason for rejecting the application" });
          reason.focus();
          return;
        }
        const ok = await confirmAction({ title: "Reject this application?", body: el("p", {}, `${applicant(account)} (${account.account_number}) is told the application was rejected. This cannot be undone.`), action: "Reject", danger: true });
        if (!ok) return;
      }
      try {
        const updated = await api("POST", `/v1/firm/accounts/${account.id}/review`, { decision, reason: reason.value.trim() || undefined });
        notify(`Account ${updated.account_number} ${decision === "approve" ? "approved: now ACTIVE" : "rejected"}`, "ok");
        drawDetail(updated);
        await load();
      } catch (failure) {
        showFailure(error, form, failure);
      }
    }
    approve.addEventListener("click", () => decide("approve"));
    reject.addEventListener("click", () => decide("reject"));
    return el("div", { class: "card" }, el("h4", {}, "Decision"), form);
  }

  // Every status change, past and live: the review reasons and a fresh list when one moves.
  const seen = new Set();
  const feed = new EventSource("/v1/events/accounts/status?since_id=0");
  feed.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    // A reconnection replays from the start: keep each event once.
    if (seen.has(event.event_id)) return;
    seen.add(event.event_id);
    const list = history.get(event.account_id) || [];
    list.push(event);
    history.set(event.account_id, list);
    clearTimeout(typing);
    typing = setTimeout(load, 200);
  });
  window.addEventListener("pagehide", () => feed.close());

  return { refresh: load };
}

function applicant(account) {
  const identity = account.identity || {};
  const name = [identity.given_name, identity.middle_name, identity.family_name].filter(Boolean).join(" ");
  return name || account.contact?.email_address || account.account_number;
}
