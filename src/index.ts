/** Worker entry: the Hono app plus the Durable Object classes wrangler binds. */
import { app } from './app';

export { TenantLedger } from '../durable-objects/tenant-ledger';
export { RateLimiter } from '../durable-objects/rate-limiter';
export type { AppType } from './app';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
