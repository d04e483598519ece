/**
 * Rate-limit policies from configuration, the keys they count, and the IETF headers that
 * describe them (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` and `RateLimit`).
 */
import { z } from 'zod';
import type { Verdict } from './sliding-window';

/** `limit` requests per `windowMs`. */
export interface RatePolicy {
  limit: number;
  windowMs: number;
}

/** The policies: names appear in the headers (`"ip"`, `"user"`, `"tenant"`, `"operator"` for /ops). */
export type PolicyName = 'ip' | 'user' | 'tenant' | 'operator';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses `"100/15m"` (limit / window with unit s, m or h) or `"off"`. */
export function parseRatePolicy(text: string): RatePolicy | null | undefined {
  if (text.trim() === 'off') return null;
  const m = /^\s*(\d{1,7})\s*\/\s*(\d{1,5})\s*([smh])\s*$/.exec(text);
  if (!m) return undefined;
  const limit = Number(m[1]);
  const windowMs = Number(m[2]) * UNIT_MS[m[3] as keyof typeof UNIT_MS];
  if (limit < 1 || windowMs < 1000 || windowMs > 86_400_000) return undefined;
  return { limit, windowMs };
}

/** A policy setting with its default; `null` means the policy is switched off. */
export const ratePolicySetting = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const policy = parseRatePolicy(text);
      if (policy === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be "<limit>/<window><s|m|h>" (e.g. 100/15m, window 1s..24h) or "off"',
        });
        return z.NEVER;
      }
      return policy;
    });

/** FNV-1a, 32 bit: a fast, stable spread of keys over shards (not a security function). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Shard name of a key: one limiter object per `kind` and shard. */
export const shardName = (kind: string, key: string, shards: number): string =>
  `${kind}:${fnv1a(key) % shards}`;

/** Key used when `CF-Connecting-IP` is absent (local development and tests, never at the edge). */
export const LOCAL_CLIENT = 'local';

/**
 * The client key of an IP: IPv4 as is, IPv6 by its /64 prefix (one subscriber usually holds a
 * whole /64, so counting single v6 addresses would let one client rotate through millions).
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return LOCAL_CLIENT;
  const value = ip.trim().toLowerCase();
  if (value.length > 64 || !/^[0-9a-f:.]+$/.test(value)) return 'invalid';
  if (!value.includes(':')) return value;
  if (value.includes('.')) return value.slice(value.lastIndexOf(':') + 1); // IPv4-mapped IPv6
  const [head = '', tail = ''] = value.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = value.includes('::') && tail ? tail.split(':') : [];
  const groups = value.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export interface AppliedPolicy {
  name: PolicyName;
  policy: RatePolicy;
  verdict: Verdict;
}

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/** `RateLimit-Policy: "user";q=600;w=60, "tenant";q=3000;w=60` */
export function policyHeader(applied: AppliedPolicy[]): string {
  return applied
    .map((a) => `"${a.name}";q=${a.policy.limit};w=${seconds(a.policy.windowMs)}`)
    .join(', ');
}

/** `RateLimit: "user";r=12;t=30`; `t` is the time until the current window ends (or until a retry, when refused). */
export function stateHeader(applied: AppliedPolicy[]): string {
  return applied
    .map(
      (a) =>
        `"${a.name}";r=${a.verdict.remaining};t=${seconds(a.verdict.retryAfterMs || a.verdict.resetMs)}`,
    )
    .join(', ');
}

/** Seconds a refused client should wait: the longest wait among the refusing policies (at least 1). */
export function retryAfterSeconds(applied: AppliedPolicy[]): number {
  return Math.max(1, ...applied.map((a) => seconds(a.verdict.retryAfterMs)));
}
