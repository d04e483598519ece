/**
 * Helpers of the edge suites (rate limits, browser protections, hostile input): the app
 * called with an env of its own (other policies, origins, deadlines), client IPs that no
 * other test uses, and the "nothing was written" check.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import { createApp } from '../../src/app';
import { BASE } from '../helpers';

export type Overrides = Partial<Record<keyof Env, string>>;
export type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** A fresh app over `env` plus `overrides` (parsed once: the same env object every call). */
export function appWith(overrides: Overrides): { fetch: Fetch; app: ReturnType<typeof createApp> } {
  const app = createApp();
  const custom = { ...env, ...overrides } as Env;
  const fetch: Fetch = async (path, init = {}) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${BASE}${path}`, init), custom, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  return { fetch, app };
}

/** An IPv6 address in a /64 of its own (documentation prefix), so no other test shares its bucket. */
export function uniqueIp(): string {
  const [a, b] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${(a ?? 0).toString(16)}:${(b ?? 0).toString(16)}::1`;
}

/** Asserts a 4xx problem+json (never a 5xx) and returns its body. */
export async function expectProblem(res: Response, status?: number, label = ''): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (status !== undefined) expect(res.status, `${label} ${text}`).toBe(status);
  expect(res.status, `${label} ${text}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label} ${text}`).toBeLessThan(500);
  expect(res.headers.get('Content-Type'), label).toMatch(/^application\/problem\+json/);
  return JSON.parse(text) as Record<string, unknown>;
}
