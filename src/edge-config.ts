/**
 * Settings of the edge protections (rate limits, CORS, request timeout), spread into the
 * one configuration schema in `env.ts`. Each setting has a default that suits production.
 */
import { z } from 'zod';
import { ratePolicySetting } from './rate-limit/policy';

/** Comma-separated origins (`https://app.example.com`); empty means no CORS at all. */
const originList = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const origins = text
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    for (const origin of origins) {
      let canonical = '';
      try {
        canonical = new URL(origin).origin;
      } catch {
        canonical = '';
      }
      if (origin.includes('*') || canonical !== origin || !/^https?:/.test(origin)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${origin.slice(0, 80)}" is not an origin (scheme://host[:port], no path, no wildcard)`,
        });
      }
    }
    return origins;
  });

export const edgeConfigShape = {
  /** Unauthenticated requests and failed authentications, per client IP. */
  RATE_LIMIT_IP: ratePolicySetting('100/15m'),
  /** Authenticated requests per user (subject within a tenant). */
  RATE_LIMIT_USER: ratePolicySetting('600/1m'),
  /** Authenticated requests per tenant, all its users together. */
  RATE_LIMIT_TENANT: ratePolicySetting('3000/1m'),
  /** Limiter objects per kind (ip, tenant); keys are spread over them by hash. */
  RATE_LIMIT_SHARDS: z.coerce.number().int().min(1).max(1024).default(16),
  CORS_ALLOWED_ORIGINS: originList,
  /** Deadline of a whole request; past it the client gets 504 `timeout`. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
};
