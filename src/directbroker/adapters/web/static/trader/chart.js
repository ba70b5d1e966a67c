// The live candlestick chart with volume (the vendored Lightweight Charts, a classic script
// that defines the global LightweightCharts). History: today's one-minute bars; live: the
// stream's "b" messages close bars, and every trade moves the forming bar. Updates for the
// same bar within a frame are coalesced.

import { api } from "../common/api.js";
import { el } from "../common/format.js";
import { later } from "./frame.js";
import { market, selectedSymbol } from "./market.js";

const UP = "#2ebd85";
const DOWN = "#f6465d";
let chart = null;
let candles = null;
let volumes = null;
let forming = null;
let caption = null;

function seconds(iso) {
  return Math.floor(new Date(iso).getTime() / 1000);
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function localTime(time) {
  const when = new Date(time * 1000);
  return `${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

function push(bar) {
  if (forming && bar.time < forming.time) return; // the chart only moves forward
  forming = bar;
  later(`chart:${bar.time}`, () => {
    candles.update({ time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
    volumes.update({ time: bar.time, value: bar.volume, color: bar.close >= bar.open ? `${UP}80` : `${DOWN}80` });
    caption.textContent = `O ${bar.open.toFixed(2)}  H ${bar.high.toFixed(2)}  L ${bar.low.toFixed(2)}  C ${bar.close.toFixed(2)}  V ${bar.volume.toLocaleString("en-US")}`;
  });
}

/** A closed one-minute bar from the stream. */
export function onBar(message) {
  if (message.S !== selectedSymbol() || !chart) return;
  const bar = { time: seconds(message.t), open: message.o, high: message.h, low: message.l, close: message.c, volume: message.v };
  if (forming && forming.time === bar.time) push(bar);
  else if (!forming || bar.time > forming.time) push(bar);
}

/** A trade moves the forming bar (or opens the next minute's). */
export function onChartTrade(message) {
  if (message.S !== selectedSymbol() || !chart) return;
  const minute = Math.floor(seconds(message.t) / 60) * 60;
  const p = Number(message.p);
  const size = Number(message.s) || 0;
  if (forming && forming.time === minute) {
    push({ ...forming, high: Math.max(forming.high, p), low: Math.min(forming.low, p), close: p, volume: forming.volume + size });
  } else if (!forming || minute > forming.time) {
    push({ time: minute, open: p, high: p, low: p, close: p, volume: size });
  }
}

function candle(b) {
  return { time: seconds(b.t), open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v };
}

async function load(symbol) {
  forming = null;
  candles.setData([]);
  volumes.setData([]);
  try {
    const path = `/v2/stocks/${encodeURIComponent(symbol)}/bars`;
    const [found, snapshots] = await Promise.all([
      api("GET", path, undefined, { query: { timeframe: "1Min", limit: 1000 } }),
      api("GET", "/v2/stocks/snapshots", undefined, { query: { symbols: symbol } }),
    ]);
    if (symbol !== selectedSymbol()) return;
    const bars = (found.bars || []).map(candle);
    // History holds closed minutes; the snapshot's minute bar is the one forming now.
    const minute = snapshots[symbol] && snapshots[symbol].minuteBar;
    if (minute && (!bars.length || seconds(minute.t) > bars[bars.length - 1].time)) bars.push(candle(minute));
    // Trades that arrived while the history loaded may have formed a newer bar already.
    const live = forming;
    // Sub-dollar stocks trade in hundredths of a cent: the axis shows the tick they trade in.
    const reference = bars.length ? bars[bars.length - 1].close : 0;
    const small = reference > 0 && reference < 1;
    candles.applyOptions({ priceFormat: { type: "price", precision: small ? 4 : 2, minMove: small ? 0.0001 : 0.01 } });
    candles.setData(bars.map(({ volume, ...rest }) => rest));
    volumes.setData(bars.map((b) => ({ time: b.time, value: b.volume, color: b.close >= b.open ? `${UP}80` : `${DOWN}80` })));
    forming = bars.length ? bars[bars.length - 1] : null;
    if (live && (!forming || live.time >= forming.time)) push(live);
    chart.timeScale().scrollToRealTime();
  } catch {
    caption.textContent = "no bars";
  }
}

export function startChart(panel) {
  caption = el("span", { class: "muted small ohlc", id: "chart-ohlc" });
  panel.querySelector("h2").append(caption);
  const box = el("div", { class: "chart-box", id: "chart", role: "img", "aria-label": "One-minute candlestick chart with volume" });
  panel.append(box);
  const charts = window.LightweightCharts;
  chart = charts.createChart(box, {
    autoSize: true,
    layout: { background: { color: "transparent" }, textColor: "#8a96a6", fontSize: 11 },
    grid: { vertLines: { color: "#1d2530" }, horzLines: { color: "#1d2530" } },
    rightPriceScale: { borderColor: "#26303c" },
    timeScale: { borderColor: "#26303c", barSpacing: 9, rightOffset: 3, timeVisible: true, secondsVisible: false, tickMarkFormatter: localTime },
    localization: { timeFormatter: localTime },
    crosshair: { mode: 0 },
  });
  candles = chart.addSeries(charts.CandlestickSeries, {
    upColor: UP, downColor: DOWN, borderUpColor: UP, borderDownColor: DOWN, wickUpColor: UP, wickDownColor: DOWN,
  });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.28 } });
  volumes = chart.addSeries(charts.HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "" });
  volumes.priceScale().applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
  market.addEventListener("select", (event) => load(event.detail));
}
