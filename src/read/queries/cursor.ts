/**
 * Opaque keyset cursors: `base64url(JSON payload) + "." + base64url(HMAC-SHA256)`. The
 * payload names the list (`r`), the tenant (`t`), a fingerprint of the normalized filters
 * (`f`) and the last row's sort key (`k`). A cursor that is tampered with, signed with
 * another key, or presented for another list, tenant or set of filters is refused with
 * `InvalidCursorError`. Cursors do not expire: the sort key alone decides where a page
 * starts, so an old cursor simply continues after that row.
 */
import { InvalidCursorError } from './errors';

/** One sort-key value: dates and ids are strings, numbers stay numbers. */
export type SortKey = readonly (string | number)[];

/** What a cursor is bound to. */
export interface CursorScope {
  /** The list, e.g. `invoices`. */
  resource: string;
  tenantId: string;
  /** Normalized filters (undefined members are ignored; key order does not matter). */
  filters: unknown;
  /** HMAC secret (from configuration; never sent to clients). */
  secret: string;
}

interface Payload {
  v: 1;
  r: string;
  t: string;
  f: string;
  k: (string | number)[];
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  if (secret.length === 0) throw new Error('cursor signing needs a non-empty secret');
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= 4) keys.clear(); // a key rotation leaves at most a couple of entries
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    keys.set(secret, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new InvalidCursorError('cursor is malformed');
  let binary: string;
  try {
    binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    throw new InvalidCursorError('cursor is malformed'); // e.g. an impossible length
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** JSON with object keys sorted and undefined members dropped, so equal filters hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function fingerprint(filters: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(canonicalJson(filters)));
  return toBase64Url(new Uint8Array(digest).slice(0, 12));
}

/** Encodes and signs the cursor that continues after the row with `key`. */
export async function encodeCursor(scope: CursorScope, key: SortKey): Promise<string> {
  const payload: Payload = {
    v: 1,
    r: scope.resource,
    t: scope.tenantId,
    f: await fingerprint(scope.filters),
    k: [...key],
  };
  const body = toBase64Url(encoder.encode(JSON.stringify(payload)));
  const signature = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(scope.secret),
    encoder.encode(body),
  );
  return `${body}.${toBase64Url(new Uint8Array(signature))}`;
}

/**
 * Verifies `cursor` for `scope` and returns its sort key, checked against `shape` (the
 * type of each key member). Throws `InvalidCursorError` on any mismatch.
 */
export async function decodeCursor(
  scope: CursorScope,
  cursor: string,
  shape: readonly ('string' | 'number')[],
): Promise<SortKey> {
  const parts = cursor.split('.');
  if (parts.length !== 2 || cursor.length > 1024)
    throw new InvalidCursorError('cursor is malformed');
  const [body = '', signature = ''] = parts;
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(scope.secret),
    fromBase64Url(signature),
    encoder.encode(body),
  );
  if (!valid) throw new InvalidCursorError('cursor signature is not valid');
  let payload: Partial<Payload>;
  try {
    payload = JSON.parse(new TextDecoder().decode(fromBase64Url(body))) as Partial<Payload>;
  } catch {
    throw new InvalidCursorError('cursor is malformed');
  }
  if (payload.v !== 1 || payload.r !== scope.resource)
    throw new InvalidCursorError('cursor belongs to another list');
  if (payload.t !== scope.tenantId)
    throw new InvalidCursorError('cursor belongs to another tenant');
  if (payload.f !== (await fingerprint(scope.filters)))
    throw new InvalidCursorError('cursor was issued for different filters');
  const key = payload.k;
  if (
    !Array.isArray(key) ||
    key.length !== shape.length ||
    key.some((v, i) => typeof v !== shape[i])
  ) {
    throw new InvalidCursorError('cursor is malformed');
  }
  return key;
}
