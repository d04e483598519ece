/**
 * The live stream's wire protocol (docs/stream.md): JSON text frames, the close codes, and
 * the parser of client messages. Plain TypeScript and zod: shared by the Durable Object,
 * the Worker route and the typed client (src/client/stream.ts).
 */
import { z } from 'zod';
import type { RecordedEvent } from '../contract';

/** The subprotocol a client offers (browsers: next to `ticket.<ticket>`); the only one echoed. */
export const STREAM_PROTOCOL = 'finance-edge.v1';
/** Prefix of the subprotocol that carries a browser ticket. */
export const TICKET_PROTOCOL_PREFIX = 'ticket.';

/** Close codes the server sends; 1006 (and 1012) come from the runtime (network loss, deploy, eviction). */
export const CLOSE_CODES = {
  /** The client closed, or the server shut the socket down normally. */
  normal: 1000,
  /** Too many bad client messages (each one was answered with an `error` frame first). */
  badMessages: 4400,
  /** The credential (token, or the token behind a ticket) passed its `exp`: reconnect with a fresh one. */
  expired: 4401,
  /** More events unacknowledged than `STREAM_MAX_UNACKED`: resume from the last ack. */
  tooSlow: 4408,
  /** A send to this socket failed and it missed a push: resume from the last ack. */
  internal: 1011,
} as const;

/** Largest client message accepted (bytes of UTF-8); larger ones are answered `message_too_large`. */
export const MAX_CLIENT_MESSAGE_BYTES = 1024;
/** Bad client messages tolerated on one socket; the next one closes it with 4400. */
export const MAX_BAD_MESSAGES = 10;
/** Auto-answered by the runtime without waking the object (keep-alive). */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/**
 * Server → client frames. `event` is an item of `GET /v1/events` (without `actor`/`requestId`
 * unless `audit:read`); a socket opened with `?batch=true` gets `events` frames instead, each
 * carrying consecutive events in order.
 */
export type ServerMessage =
  | { type: 'event'; position: number; event: VisibleEvent }
  | { type: 'events'; events: Array<{ position: number; event: VisibleEvent }> }
  | { type: 'caught_up'; position: number }
  | { type: 'error'; code: ClientErrorCode; detail: string };

/** An event as a principal may see it (src/ledger/stream/visibility.ts). */
export type VisibleEvent = Omit<RecordedEvent, 'actor' | 'requestId'> &
  Partial<Pick<RecordedEvent, 'actor' | 'requestId'>>;

/** Codes of `{"type":"error"}` frames (a bad client message; not HTTP problems: docs/stream.md). */
export const CLIENT_ERROR_CODES = [
  'malformed_message',
  'message_too_large',
  'unknown_message_type',
  'invalid_ack',
  'binary_not_supported',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

const AckMessage = z.strictObject({
  type: z.literal('ack'),
  position: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

/** Client → server messages. */
export type ClientMessage = z.infer<typeof AckMessage>;

export type Parsed =
  { ok: true; message: ClientMessage } | { ok: false; code: ClientErrorCode; detail: string };

/** Parses one client frame; never throws. */
export function parseClientMessage(data: string | ArrayBuffer): Parsed {
  if (typeof data !== 'string')
    return { ok: false, code: 'binary_not_supported', detail: 'Send JSON text frames.' };
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit: encode only when the length cannot decide.
  const tooLarge =
    data.length > MAX_CLIENT_MESSAGE_BYTES ||
    (data.length * 3 > MAX_CLIENT_MESSAGE_BYTES &&
      new TextEncoder().encode(data).byteLength > MAX_CLIENT_MESSAGE_BYTES);
  if (tooLarge) {
    return {
      ok: false,
      code: 'message_too_large',
      detail: `Client messages are limited to ${MAX_CLIENT_MESSAGE_BYTES} bytes.`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, code: 'malformed_message', detail: 'The message is not valid JSON.' };
  }
  if (typeof json !== 'object' || json === null || (json as { type?: unknown }).type !== 'ack') {
    return {
      ok: false,
      code: 'unknown_message_type',
      detail: 'The only client message is {"type":"ack","position":N}.',
    };
  }
  const ack = AckMessage.safeParse(json);
  if (!ack.success)
    return {
      ok: false,
      code: 'invalid_ack',
      detail: 'An ack is {"type":"ack","position":N} with N a non-negative integer.',
    };
  return { ok: true, message: ack.data };
}
