// The frame every screen shares: the header (firm, screen links the user may open, the
// user, the streams' state, sign-out) and a message line for errors and confirmations.

import { loadSession, logout } from "./api.js";
import { el } from "./format.js";

const SCREENS = [
  { path: "/ui/trader", label: "Trader", allowed: (s) => !s.staff || s.all_accounts },
  { path: "/ui/pm", label: "Portfolio", allowed: (s) => s.role === "portfolio_manager" || s.all_accounts },
  { path: "/ui/ops", label: "Operations", allowed: (s) => s.staff },
];

/** Load the session, draw the header; returns the session. */
export async function startScreen(title) {
  const session = await loadSession();
  const header = document.getElementById("shell");
  const links = SCREENS.filter((screen) => screen.allowed(session)).map((screen) =>
    el("a", { href: screen.path, class: window.location.pathname === screen.path ? "active" : "" }, screen.label),
  );
  header.replaceChildren(
    el("span", { class: "brand" }, "DirectBroker"),
    el("span", { class: "screen-title" }, title),
    el("nav", { "aria-label": "screens" }, ...links),
    el("span", { class: "spacer" }),
    el("span", { id: "stream-state", class: "stream-state down", title: "live data" }, "connecting"),
    el("span", { class: "user", id: "user-name" }, session.user_id),
    el("button", { type: "button", id: "logout", onclick: () => logout() }, "Sign out"),
  );
  return session;
}

/** Shows the streams' state in the header. */
export function streamState(state) {
  const badge = document.getElementById("stream-state");
  if (!badge) return;
  badge.textContent = state;
  badge.className = `stream-state ${state}`;
}

let noticeTimer = 0;

/** A message under the header: kind "error" stays until the next one, others fade. */
export function notify(text, kind = "info") {
  const line = document.getElementById("notice");
  if (!line) return;
  line.textContent = text;
  line.className = `notice ${kind}`;
  line.setAttribute("role", kind === "error" ? "alert" : "status");
  clearTimeout(noticeTimer);
  if (kind !== "error") noticeTimer = setTimeout(() => { line.textContent = ""; line.className = "notice"; }, 6000);
}

/** The server's words for a failure (ApiFailure or any error). */
export function failure(error) {
  return error && error.message ? error.message : String(error);
}
