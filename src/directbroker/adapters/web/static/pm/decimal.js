// Exact decimal arithmetic for display: amounts as BigInt counts of $0.0001, so sums of the
// API's decimal strings and live marks (quantity x price) carry no binary rounding. Nothing
// computed here is sent back to the server.

const SCALE = 10000n;

/** A decimal string or number ("-12.5", 230.98) as BigInt units of 0.0001; null if not one. */
export function units(value) {
  if (value === undefined || value === null || value === "") return null;
  const text = typeof value === "number" ? value.toFixed(4) : String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (!match[2] && !match[3])) return null;
  const fraction = (match[3] || "").padEnd(4, "0");
  let whole = BigInt(match[2] || "0") * SCALE + BigInt(fraction.slice(0, 4) || "0");
  if (fraction.length > 4 && Number(fraction[4]) >= 5) whole += 1n;
  return match[1] === "-" ? -whole : whole;
}

/** Units back to a decimal string with `places` decimals (half away from zero). */
export function text(value, places = 2) {
  if (value === null || value === undefined) return "";
  const negative = value < 0n;
  let magnitude = negative ? -value : value;
  const drop = 10n ** BigInt(4 - places);
  magnitude = (magnitude + drop / 2n) / drop;
  const base = 10n ** BigInt(places);
  const whole = magnitude / base;
  const part = places ? "." + String(magnitude % base).padStart(places, "0") : "";
  return `${negative && magnitude ? "-" : ""}${whole}${part}`;
}

/** Sum of decimal strings, as a decimal string. */
export function sum(values, places = 2) {
  return text(values.reduce((total, v) => total + (units(v) ?? 0n), 0n), places);
}

/** quantity (whole shares, string) x price, in units. */
export function times(quantity, price) {
  const q = units(quantity);
  const p = units(price);
  return q === null || p === null ? null : (q * p) / SCALE;
}

const PERCENT = /^(?:100(?:\.0{1,2})?|\d{1,2}(?:\.\d{1,2})?)$/;

/** "33.33" -> 3333 basis points (exact), null when not a percent. */
export function bps(text) {
  const value = text.trim();
  if (!PERCENT.test(value)) return null;
  const [whole, part = ""] = value.split(".");
  return Number(whole) * 100 + Number(part.padEnd(2, "0"));
}

export function percentText(points) {
  return `${Math.floor(points / 100)}.${String(points % 100).padStart(2, "0")}`;
}
