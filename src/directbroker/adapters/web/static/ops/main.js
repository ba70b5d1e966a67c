// The operations console: a state strip (the kill switch, always in view), a tab bar of
// sections (keyboard: arrow keys in the bar, Alt+1..9 anywhere; the section is in the URL's
// hash), and one panel per section. A staff member's roles decide which sections and
// controls it offers; the server still decides, and its refusals are shown as it words them.

import { el } from "../common/format.js";
import { notify, startScreen, streamState } from "../common/shell.js";
import { mountAccounts } from "./accounts.js";
import { mountBreaks } from "./breaks.js";
import { mountFunding } from "./funding.js";
import { mountFirmState, mountKillSwitch, refreshSwitches, watchSwitches } from "./killswitch.js";
import { mountLimits } from "./limits.js";
import { mountLists } from "./lists.js";
import { mountMonthly } from "./monthly.js";
import { permissions } from "./roles.js";

const session = await startScreen("Operations console");
const can = permissions(session);
const screen = document.getElementById("screen");
const bar = document.getElementById("tabs");

const SECTIONS = [
  { id: "approvals", label: "Approvals", shown: can.reviewAccounts, mount: (panel) => mountAccounts(panel, can, (n) => badge("approvals", n)) },
  { id: "killswitch", label: "Kill switch", shown: true, mount: (panel) => { mountKillSwitch(panel, can); return { refresh: refreshSwitches }; } },
  { id: "funding", label: "Funding", shown: can.funding, mount: (panel) => mountFunding(panel, can) },
  { id: "limits", label: "Risk limits", shown: can.seeLimits, mount: (panel) => mountLimits(panel, can) },
  { id: "lists", label: "Lists", shown: true, mount: (panel) => mountLists(panel, can) },
  { id: "breaks", label: "Clearing breaks", shown: true, mount: async (panel) => { await mountBreaks(panel); return null; } },
  { id: "monthly", label: "Monthly report", shown: true, mount: async (panel) => { await mountMonthly(panel); return null; } },
].filter((section) => section.shown);

const tabs = new Map();
const panels = new Map();
const mounted = new Map();

for (const [index, section] of SECTIONS.entries()) {
  const tab = el("button", {
    type: "button", role: "tab", id: `tab-${section.id}`, "aria-controls": `panel-${section.id}`, "aria-selected": "false",
    tabindex: "-1", title: `${section.label} (Alt+${index + 1})`, onclick: () => show(section.id, true),
  }, el("span", {}, section.label), el("span", { class: "count", id: `count-${section.id}`, hidden: true }));
  const panel = el("section", { class: "panel", role: "tabpanel", id: `panel-${section.id}`, "aria-labelledby": `tab-${section.id}`, tabindex: "-1", hidden: true });
  tabs.set(section.id, tab);
  panels.set(section.id, panel);
  bar.append(tab);
  screen.append(panel);
}
bar.append(
  el("span", { class: "spacer" }),
  el("span", { class: "hint muted" }, el("kbd", {}, "Alt"), "+", el("kbd", {}, `1–${SECTIONS.length}`), " sections"),
  el("span", { class: "roles muted", title: "your staff roles" }, `Roles: ${can.roles.join(", ")}`),
);

function badge(id, count) {
  const node = document.getElementById(`count-${id}`);
  if (!node) return;
  node.hidden = !count;
  node.textContent = String(count);
  node.setAttribute("aria-label", `${count} awaiting review`);
}

async function show(id, focusPanel = false) {
  const section = SECTIONS.find((s) => s.id === id) || SECTIONS[0];
  for (const [key, tab] of tabs) {
    const active = key === section.id;
    tab.setAttribute("aria-selected", String(active));
    tab.tabIndex = active ? 0 : -1;
    panels.get(key).hidden = !active;
  }
  if (window.location.hash !== `#${section.id}`) history.replaceState(null, "", `#${section.id}`);
  if (focusPanel) panels.get(section.id).focus({ preventScroll: true });
  await open(section);
}

async function open(section) {
  try {
    // The promise is kept at once, so two quick openings mount a section only once.
    if (!mounted.has(section.id)) mounted.set(section.id, Promise.resolve(section.mount(panels.get(section.id))));
    const view = await mounted.get(section.id);
    if (view && view.refresh) await view.refresh();
  } catch (failure) {
    notify(`${section.label}: ${failure.message || failure}`, "error");
  }
}

bar.addEventListener("keydown", (event) => {
  const ids = SECTIONS.map((s) => s.id);
  const current = ids.indexOf(document.activeElement?.id?.replace("tab-", ""));
  if (current < 0) return;
  const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: ids.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const id = ids[(next + ids.length) % ids.length];
  tabs.get(id).focus();
  show(id);
});
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey) return;
  const index = Number(event.key) - 1;
  if (Number.isInteger(index) && index >= 0 && index < SECTIONS.length) {
    event.preventDefault();
    show(SECTIONS[index].id);
    tabs.get(SECTIONS[index].id).focus();
  }
});
window.addEventListener("hashchange", () => show(window.location.hash.slice(1)));

mountFirmState(document.getElementById("firm-state"), (id) => show(id, true));
watchSwitches((items, error) => streamState(error ? "down" : "live"));
refreshSwitches();
// The approvals count shows on its tab from the start, whichever section opens first.
const first = window.location.hash.slice(1);
if (can.reviewAccounts && first !== "approvals") open(SECTIONS[0]);
await show(first || SECTIONS[0].id);
