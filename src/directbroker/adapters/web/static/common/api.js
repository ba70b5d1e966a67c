// The page's only way to the server's REST APIs: same-origin fetch with the session cookie,
// the CSRF token on every change, JSON both ways, and errors as ApiFailure (status, code,
// message) so screens can show the server's own words.

let csrfToken = "";
let currentSession = null;

export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

/** Who is signed in (GET /ui/session); redirects to the sign-in page when nobody is. */
export async function loadSession() {
  const response = await fetch("/ui/session", { credentials: "same-origin", cache: "no-store" });
  if (response.status === 401) {
    window.location.assign(`/ui/login?next=${encodeURIComponent(window.location.pathname)}`);
    throw new ApiFailure(401, 40110000, "not signed in");
  }
  currentSession = await response.json();
  csrfToken = currentSession.csrf;
  return currentSession;
}

export function session() {
  return currentSession;
}

/**
 * Call the API. `options.account` names the account (DirectBroker-Account header) for keys that
 * hold several; `options.query` adds query parameters.
 */
export async function api(method, path, body = undefined, options = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (options.account) headers["DirectBroker-Account"] = options.account;
  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(options.query)) {
      if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
    }
    const text = params.toString();
    if (text) url += (url.includes("?") ? "&" : "?") + text;
  }
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const payload = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const code = payload && typeof payload === "object" ? payload.code : undefined;
    const message = payload && typeof payload === "object" ? payload.message : String(payload);
    if (response.status === 401 && currentSession) window.location.assign("/ui/login");
    throw new ApiFailure(response.status, code, message);
  }
  return payload;
}

export async function logout() {
  try {
    await api("POST", "/ui/logout");
  } finally {
    window.location.assign("/ui/login");
  }
}
