/**
 * Structured JSON logging: one object per line on the console (Workers Logs / `wrangler tail`
 * index these). Callers pass fields, never raw headers; `redact` strips secrets defensively.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: Level = 'info';

/** Any key that names a credential (`authorization`, `set-cookie`, `refresh_token`, `AUTH_HS256_SECRET`, `apiKey`, `privateJwk`...). */
const SECRET_KEYS =
  /authorization|cookie|token|passw(or)?d|secret|api[-_]?key|private|jwk|credential|session|database_url|connection[-_]?string/i;
/** Nesting kept in a record; anything deeper is dropped rather than logged unchecked. */
const MAX_DEPTH = 6;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** Removes secrets from a log record: sensitive keys and anything that looks like a token. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.replace(BEARER, 'Bearer [redacted]').replace(JWT, '[redacted-jwt]');
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/**
 * Writes one record if `level` reaches `min` (default: the isolate-wide threshold). The
 * request log passes its request's configured level, so a Durable Object sharing the isolate
 * with other settings cannot silence or unmute it.
 */
export function emit(
  level: Level,
  msg: string,
  fields: Record<string, unknown>,
  min: Level = threshold,
): void {
  if (ORDER[level] < ORDER[min]) return;
  const line = JSON.stringify(redact({ level, msg, time: new Date().toISOString(), ...fields }));
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export const log = {
  setLevel(level: Level): void {
    threshold = level;
  },
  debug: (msg: string, fields: Record<string, unknown> = {}) => emit('debug', msg, fields),
  info: (msg: string, fields: Record<string, unknown> = {}) => emit('info', msg, fields),
  warn: (msg: string, fields: Record<string, unknown> = {}) => emit('warn', msg, fields),
  error: (msg: string, fields: Record<string, unknown> = {}) => emit('error', msg, fields),
};
