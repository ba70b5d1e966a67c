// The two streams a screen listens to, over the server's public WebSocket protocols:
// /v2/iex (market data, JSON frames: quotes, trades, bars, statuses, and "orderbooks", the
// Level II montage by venue) and /stream (trade_updates). The session cookie authenticates
// both: the page sends {"action": "auth"} without a key. Both reconnect on their own with a
// growing delay and restore their subscriptions; `onState` reports "live"/"connecting"/"down".

const textDecoder = new TextDecoder();

function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${path}`;
}

async function frameText(data) {
  if (typeof data === "string") return data;
  if (data instanceof Blob) return textDecoder.decode(await data.arrayBuffer());
  return textDecoder.decode(data);
}

class Reconnecting {
  constructor(path, onState) {
    this.path = path;
    this.onState = onState || (() => {});
    this.socket = null;
    this.delay = 250;
    this.closed = false;
  }

  open() {
    this.onState("connecting");
    const socket = new WebSocket(socketUrl(this.path));
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => this.opened(socket);
    socket.onmessage = async (event) => {
      let parsed;
      try {
        parsed = JSON.parse(await frameText(event.data));
      } catch {
        return;
      }
      this.received(parsed);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.onState("down");
      if (this.closed) return;
      setTimeout(() => this.open(), this.delay);
      this.delay = Math.min(this.delay * 2, 5000);
    };
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  close() {
    this.closed = true;
    if (this.socket) this.socket.close();
  }
}

/**
 * Market data. `handlers` maps message types to functions: q (quote), t (trade), b (bar),
 * d (daily bar), s (status), o (order book montage: {S, b: [{p, s, x}], a: [...]}).
 */
export class MarketStream extends Reconnecting {
  constructor(handlers, onState) {
    super("/v2/iex", onState);
    this.handlers = handlers;
    this.wanted = { trades: new Set(), quotes: new Set(), bars: new Set(), orderbooks: new Set() };
    this.open();
  }

  opened() {
    this.send({ action: "auth" });
  }

  received(messages) {
    for (const message of Array.isArray(messages) ? messages : [messages]) {
      if (message.T === "success" && message.msg === "authenticated") {
        this.delay = 250;
        this.onState("live");
        this.resubscribe();
      } else if (message.T === "error") {
        this.onState("down");
      } else {
        const handler = this.handlers[message.T];
        if (handler) handler(message);
      }
    }
  }

  resubscribe() {
    const request = { action: "subscribe" };
    for (const [channel, symbols] of Object.entries(this.wanted)) {
      if (symbols.size) request[channel] = [...symbols];
    }
    if (Object.keys(request).length > 1) this.send(request);
  }

  /** Subscribe `symbols` on each of `channels` (e.g. ["quotes", "trades"]). */
  subscribe(channels, symbols) {
    const request = { action: "subscribe" };
    for (const channel of channels) {
      for (const symbol of symbols) this.wanted[channel].add(symbol);
      request[channel] = symbols;
    }
    this.send(request);
  }

  unsubscribe(channels, symbols) {
    const request = { action: "unsubscribe" };
    for (const channel of channels) {
      for (const symbol of symbols) this.wanted[channel].delete(symbol);
      request[channel] = symbols;
    }
    this.send(request);
  }
}

/** trade_updates: `onUpdate({event, order, ...})` for every order event of the key's accounts. */
export class TradeStream extends Reconnecting {
  constructor(onUpdate, onState) {
    super("/stream", onState);
    this.onUpdate = onUpdate;
    this.open();
  }

  opened() {
    this.send({ action: "auth" });
  }

  received(message) {
    if (message.stream === "authorization") {
      if (message.data && message.data.status === "authorized") {
        this.delay = 250;
        this.send({ action: "listen", data: { streams: ["trade_updates"] } });
        this.onState("live");
      } else {
        this.onState("down");
      }
    } else if (message.stream === "trade_updates") {
      this.onUpdate(message.data);
    }
  }
}
