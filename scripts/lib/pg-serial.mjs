// One-at-a-time access to a single-session Postgres (PGlite) for many client connections.
//
// PGlite is one backend session. pglite-socket (0.2.17, the newest) multiplexes connections
// onto it message by message, so under concurrency two clients' extended-protocol batches
// (Parse/Bind/Execute/Sync) interleave, and a connection that leaves a transaction open or
// an internal error wedges its queue for good — upstream electric-sql/pglite#1046 and #985,
// fix #977 unmerged (measured here: 20 concurrent BEGIN/SELECT/COMMIT clients, 4 of 20 done,
// then every later connection failed). The bridge sees every byte both ways, so it enforces
// the rule the backend needs: one connection at a time owns the session, from its first
// message until the backend says ReadyForQuery *idle* ('Z' with status 'I') for the last
// Sync/Query it sent; inside a transaction ('T'/'E') it keeps the session. An owner that
// stays silent inside a transaction longer than `idleInTransactionMs` is cut off (its
// upstream socket closes and the session rolls back), so one stuck client cannot stall all;
// while other connections wait, after `contendedIdleMs` already. Our clients send a
// transaction's statements back to back (milliseconds apart), so a silent owner is a client
// that gave up without closing its socket (e.g. one whose request ended meanwhile). With only
// the 10 s limit, every such ghost queued during a database freeze would hold the session
// for 10 s in turn after it: that fits the ~50 s recovery from a 15 s freeze in issue #23.
// Hand-written: no maintained package gates the Postgres wire protocol like this.

/** Frontend messages that the backend answers with exactly one ReadyForQuery. */
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const READY = 0x5a; // 'Z'
const TERMINATE = 0x58; // 'X'
const SSL_REQUEST = 80877103;
const IDLE = 0x49; // 'I'

/** Splits a byte stream into Postgres messages; `startup` = the first message has no type byte. */
export class MessageReader {
  constructor({ startup }) {
    this.pending = Buffer.alloc(0);
    this.startup = startup;
  }

  /** @returns {{ type: number | null, body: Buffer, raw: Buffer }[]} complete messages */
  push(chunk) {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out = [];
    for (;;) {
      const head = this.startup ? 0 : 1;
      if (this.pending.length < head + 4) break;
      const len = this.pending.readInt32BE(head);
      const total = head + len;
      if (len < 4 || this.pending.length < total) break;
      const raw = this.pending.subarray(0, total);
      out.push({ type: this.startup ? null : raw[0], body: raw.subarray(head + 4), raw });
      this.pending = this.pending.subarray(total);
      // SSLRequest is followed by the real startup message (also untyped).
      if (this.startup && !(len === 8 && raw.readInt32BE(4) === SSL_REQUEST)) this.startup = false;
    }
    return out;
  }
}

/**
 * The gate: `attach()` per client connection returns hooks the bridge calls with the
 * client's bytes and the backend's bytes. Bytes from a client that does not own the session
 * wait in the gate, in arrival order per client, clients served first come first served.
 */
export function createSerialGate({ idleInTransactionMs = 10_000, contendedIdleMs = 1_000 } = {}) {
  let owner = null;
  const waiting = [];
  const contended = () => waiting.some((c) => !c.closed && c.queue.length > 0);

  /** (Re)arms the cut-off of an owner idle in a transaction: shorter while others wait. */
  function armIdle(conn) {
    clearTimeout(conn.idleTimer);
    if (conn.idleSince === null) return;
    const limit = contended()
      ? Math.min(contendedIdleMs, idleInTransactionMs)
      : idleInTransactionMs;
    conn.idleTimer = setTimeout(
      () => conn.kill('idle in transaction'),
      Math.max(0, conn.idleSince + limit - Date.now()),
    );
    conn.idleTimer.unref?.();
  }

  function grant() {
    while (!owner && waiting.length) {
      const next = waiting.shift();
      if (next.closed || next.queue.length === 0) continue;
      owner = next;
      next.flush();
    }
  }

  function release(conn) {
    if (owner !== conn) return;
    owner = null;
    conn.idleSince = null;
    clearTimeout(conn.idleTimer);
    grant();
  }

  return {
    /** @param {{ send(buf: Buffer): void, kill(reason: string): void }} io upstream writer, cut-off */
    attach(io) {
      const conn = {
        queue: [],
        expect: 0,
        sslReply: false,
        closed: false,
        idleTimer: undefined,
        idleSince: null,
        kill: io.kill,
        fromClient: new MessageReader({ startup: true }),
        fromServer: new MessageReader({ startup: false }),
        flush() {
          conn.idleSince = null;
          clearTimeout(conn.idleTimer);
          for (const m of conn.queue.splice(0)) {
            if (m.type === SYNC || m.type === QUERY) conn.expect++;
            else if (m.type === null && m.raw.length === 8 && m.raw.readInt32BE(4) === SSL_REQUEST)
              conn.sslReply = true;
            else if (m.type === null) conn.expect++; // startup: answered by ReadyForQuery
            io.send(m.raw);
          }
        },
      };
      return {
        /** Bytes from the client. */
        client(chunk) {
          if (conn.closed) return;
          for (const m of conn.fromClient.push(chunk)) {
            // Terminate: the client is done. Not forwarded (it would not release the session);
            // closing the upstream socket ends the connection, and an open transaction with it.
            if (m.type === TERMINATE) {
              io.kill('terminate');
              return;
            }
            conn.queue.push(m);
          }
          if (owner === conn) conn.flush();
          else if (!waiting.includes(conn) && conn.queue.length) {
            waiting.push(conn);
            grant();
            if (owner && owner !== conn) armIdle(owner);
          }
        },
        /** Bytes from the backend (forwarded by the caller unchanged). */
        server(chunk) {
          let data = chunk;
          if (conn.sslReply && data.length) {
            conn.sslReply = false; // the one-byte 'N' before any typed message
            data = data.subarray(1);
          }
          for (const m of conn.fromServer.push(data)) {
            if (m.type !== READY) continue;
            conn.expect = Math.max(0, conn.expect - 1);
            if (conn.expect > 0 || owner !== conn) continue;
            // The owner's bytes are flushed as they come, so its queue is empty here.
            if (m.body[0] === IDLE) release(conn);
            else {
              // In a transaction: keep the session, but not forever.
              conn.idleSince = Date.now();
              armIdle(conn);
            }
          }
        },
        /** The client or its upstream socket went away. */
        close() {
          conn.closed = true;
          clearTimeout(conn.idleTimer);
          const i = waiting.indexOf(conn);
          if (i >= 0) waiting.splice(i, 1);
          release(conn);
        },
      };
    },
  };
}
