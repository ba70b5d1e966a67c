// Display formats. The APIs send money and prices as decimal strings; they are shown as
// sent (rounded for display only), never computed with in floating point for anything that
// is sent back to the server.

// Formatters are built once: building one (what toLocaleString does on every call) costs far
// more than formatting, and the tape and montage format thousands of numbers a second.
const priceFormats = new Map();
const moneyFormat = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const quantityFormat = new Intl.NumberFormat("en-US");

function priceFormat(places) {
  let format = priceFormats.get(places);
  if (format === undefined) {
    format = new Intl.NumberFormat("en-US", { minimumFractionDigits: places, maximumFractionDigits: Math.max(places, 4) });
    priceFormats.set(places, format);
  }
  return format;
}

export function price(value, places = 2) {
  if (value === undefined || value === null || value === "") return "";
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return priceFormat(places).format(number);
}

export function money(value) {
  if (value === undefined || value === null || value === "") return "";
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return moneyFormat.format(number);
}

export function quantity(value) {
  if (value === undefined || value === null || value === "") return "";
  const number = Number(value);
  return Number.isFinite(number) ? quantityFormat.format(number) : String(value);
}

/** A signed amount with its class: "up", "down" or "" (for colouring P&L). */
export function signed(value) {
  const number = Number(value);
  if (!Number.isFinite(number) || number === 0) return { text: money(value), tone: "" };
  return { text: (number > 0 ? "+" : "") + money(value), tone: number > 0 ? "up" : "down" };
}

/** HH:MM:SS.mmm of an RFC 3339 time (in the browser's zone). */
export function clock(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}.${pad(when.getMilliseconds(), 3)}`;
}

/** Builds an element: el("td", {class: "num"}, "12.00"). Text is always set as text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
