// `k6/websockets` for the local runner, on the `ws` package: the WebSocket class with its
// on* handlers and addEventListener, headers from params, and the ws_* metrics k6 reports.
// An open socket keeps the iteration running until it closes, as in k6.
import { performance } from 'node:perf_hooks';
import NodeWebSocket from 'ws';
import { emit, hold } from './runtime.mjs';

export class WebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url, protocols, params = {}) {
    this.url = url;
    this.binaryType = 'blob';
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this.onping = null;
    this.onpong = null;
    this.listeners = {};
    if (!/^wss?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(url))
      throw new Error(`the local runner only opens sockets to loopback addresses (got ${url})`);
    const tags = { ...(params?.tags ?? {}), url };
    const started = performance.now();
    const done = hold();
    this.ws = new NodeWebSocket(url, { headers: params?.headers ?? {} });
    this.ws.on('open', () => {
      emit('ws_connecting', 'trend', performance.now() - started, tags, 'time');
      emit('ws_sessions', 'counter', 1, tags);
      this.dispatch('open', {});
    });
    this.ws.on('message', (data, isBinary) => {
      emit('ws_msgs_received', 'counter', 1, tags);
      this.dispatch('message', { data: isBinary ? data : data.toString('utf8') });
    });
    this.ws.on('ping', () => this.dispatch('ping', {}));
    this.ws.on('pong', () => this.dispatch('pong', {}));
    this.ws.on('error', (err) => this.dispatch('error', { error: String(err?.message ?? err) }));
    this.ws.on('close', () => {
      emit('ws_session_duration', 'trend', performance.now() - started, tags, 'time');
      this.dispatch('close', {});
      done();
    });
    this.tags = tags;
  }

  get readyState() {
    return this.ws.readyState;
  }

  dispatch(type, extra) {
    const event = { type, timestamp: Date.now(), ...extra };
    const handler = this[`on${type}`];
    if (typeof handler === 'function') handler.call(this, event);
    for (const fn of this.listeners[type] ?? []) fn.call(this, event);
  }

  addEventListener(type, fn) {
    (this.listeners[type] ??= []).push(fn);
  }

  send(data) {
    emit('ws_msgs_sent', 'counter', 1, this.tags);
    this.ws.send(data);
  }

  ping() {
    this.ws.ping();
  }

  close(code, reason) {
    this.ws.close(code, reason);
  }
}

export default { WebSocket };
