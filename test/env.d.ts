// Bindings that exist only in the test projects (vitest.config.ts), on top of the
// generated Env from `wrangler types`.
declare namespace Cloudflare {
  interface Env {
    TEST_PRIVATE_JWK: string;
    TEST_CONTROL_URL: string;
    TEST_DB_BACKEND: string;
    /** '1' runs the timing logs that assert nothing (npm test leaves them out). */
    TEST_TIMINGS: string;
  }
}
