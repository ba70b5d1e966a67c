// Charts of the monthly activity report's series across the months the firm has books in:
// customer accounts, trades processed, shares traded and customer assets, one small chart
// each, drawn by the vendored Lightweight Charts (loaded on first use by a script element:
// the page's policy allows same-origin scripts). A figure not known yet (assets before a
// month's first close) is a gap.

import { el } from "../common/format.js";

const LIBRARY = "/ui/static/vendor/lightweight-charts.standalone.production.js";
const SERIES = [
  ["customer_accounts", "Customer accounts", "line"],
  ["trades", "Trades processed", "histogram"],
  ["shares", "Shares traded", "histogram"],
  ["customer_assets", "Customer assets ($)", "line"],
];
let loading = null;

/** The Lightweight Charts global, loading the library once. */
export function chartLibrary() {
  if (window.LightweightCharts) return Promise.resolve(window.LightweightCharts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = LIBRARY;
      script.onload = () => resolve(window.LightweightCharts);
      script.onerror = () => {
        loading = null;
        reject(new Error("the chart library did not load"));
      };
      document.head.append(script);
    });
  }
  return loading;
}

function styles() {
  const css = getComputedStyle(document.documentElement);
  const read = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: read("--muted", "#8a96a6"),
    edge: read("--panel-edge", "#26303c"),
    accent: read("--accent", "#4c9aff"),
    up: read("--up", "#2ebd85"),
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A point's month as "Apr 2026" (the library hands back a day as an object, a string or a
 * UTC timestamp, depending on how it was given). */
function monthLabel(time) {
  let year;
  let month;
  if (typeof time === "object" && time !== null) ({ year, month } = time);
  else if (typeof time === "string") [year, month] = time.split("-").map(Number);
  else {
    const when = new Date(Number(time) * 1000);
    year = when.getUTCFullYear();
    month = when.getUTCMonth() + 1;
  }
  return `${MONTHS[month - 1]} ${year}`;
}

// Display only: the chart needs numbers; the exact figures are in the table.
function point(entry, name) {
  const time = `${entry.period}-01`;
  const value = entry[name];
  return value === null || value === undefined ? { time } : { time, value: Number(value) };
}

/** Draw the charts of ``history`` into ``host``; returns a function that removes them. */
export async function drawCharts(host, history) {
  const charts = await chartLibrary();
  const colour = styles();
  const made = [];
  const figures = SERIES.map(([name, title, kind]) => {
    // The canvas says nothing to a screen reader: the box carries the series as text.
    const spoken = history
      .map((entry) => `${monthLabel(entry.period)}: ${entry[name] === null ? "n/a" : entry[name]}`)
      .join("; ");
    const box = el("div", {
      class: "monthly-chart-box", role: "img", "aria-label": `${title} by month. ${spoken}`,
      dataset: { figure: name },
    });
    const figure = el("figure", { class: "monthly-chart" }, el("figcaption", {}, title), box);
    host.append(figure);
    const chart = charts.createChart(box, {
      autoSize: true,
      layout: { background: { type: "solid", color: "transparent" }, textColor: colour.text, fontSize: 11 },
      grid: { vertLines: { visible: false }, horzLines: { color: colour.edge } },
      rightPriceScale: { borderColor: colour.edge },
      timeScale: {
        borderColor: colour.edge, fixLeftEdge: true, fixRightEdge: true, barSpacing: 24,
        tickMarkFormatter: (time) => monthLabel(time),
      },
      localization: { timeFormatter: (time) => monthLabel(time) },
      handleScroll: false,
      handleScale: false,
    });
    const type = kind === "histogram" ? charts.HistogramSeries : charts.LineSeries;
    const options = kind === "histogram" ? { color: colour.accent } : { color: colour.up, lineWidth: 2 };
    const series = chart.addSeries(type, { ...options, priceLineVisible: false, lastValueVisible: true });
    series.setData(history.map((entry) => point(entry, name)));
    chart.timeScale().fitContent();
    made.push(chart);
    return figure;
  });
  return () => {
    for (const chart of made) chart.remove();
    for (const figure of figures) figure.remove();
  };
}
