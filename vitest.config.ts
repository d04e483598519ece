import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';

/**
 * A Workers project: the suites run inside workerd with the bindings from wrangler.toml,
 * plus the database bridge and test signing key that `globalSetup` started and provided.
 */
function workersProject(name: string, include: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            APP_ENV: 'test',
            LOG_LEVEL: 'error',
            DATABASE_URL: inject('databaseUrl'),
            DB_WS_PROXY: `127.0.0.1:${inject('wsPort')}`,
            AUTH_PUBLIC_JWK: inject('publicJwk'),
            TEST_PRIVATE_JWK: inject('privateJwk'),
            TEST_CONTROL_URL: inject('controlUrl'),
            TEST_DB_BACKEND: inject('dbBackend'),
            TEST_TIMINGS: process.env.TEST_TIMINGS ?? '',
            // Every suite calls from one client key ('local': no CF-Connecting-IP), so the
            // shared policies are set out of reach; test/security/rate-limit.test.ts runs the
            // production defaults on an env of its own.
            RATE_LIMIT_IP: '1000000/1m',
            RATE_LIMIT_USER: '1000000/1m',
            RATE_LIMIT_TENANT: '1000000/1m',
            CORS_ALLOWED_ORIGINS: 'https://app.finance-edge.test',
          },
        },
      })),
    ],
    test: {
      name,
      include,
      // Node-side suites (ESLint, secretlint) live beside them as *.node.test.ts.
      exclude: ['**/node_modules/**', 'test/**/*.node.test.ts'],
      globalSetup: ['./test/setup/global-setup.ts'],
      testTimeout: 20_000,
      hookTimeout: 60_000,
      // One workerd per worker, reused across files (not one per file): every suite uses its
      // own tenant ids, so files never see each other's books.
      isolate: false,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'domain',
          include: ['test/domain/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'tooling',
          include: ['test/**/*.node.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
      workersProject('workers', ['test/integration/**/*.test.ts', 'test/security/**/*.test.ts']),
      // The read-model suites again on Debian's PostgreSQL 15 (Neon runs 16/17, PGlite 18).
      workersProject('workers-pg15', ['test/integration/**/*.db.test.ts']),
    ],
  },
});
