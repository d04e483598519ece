import { availableParallelism } from 'node:os';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { LongestFirstSequencer } from './test/setup/sequencer.mjs';

/**
 * A Workers project: the suites run inside workerd with the bindings from wrangler.toml,
 * plus the database bridge and test signing key that `globalSetup` started and provided.
 */
function workersProject(
  name: string,
  include: string[],
  lane: { maxWorkers: number; groupOrder: number },
  exclude: string[] = [],
): TestProjectInlineConfiguration {
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
      exclude: ['**/node_modules/**', 'test/**/*.node.test.ts', ...exclude],
      globalSetup: ['./test/setup/global-setup.ts'],
      testTimeout: 20_000,
      hookTimeout: 60_000,
      // One workerd per worker, reused across files (not one per file): every suite uses its
      // own tenant ids, so files never see each other's books.
      isolate: false,
      maxWorkers: lane.maxWorkers,
      sequence: { groupOrder: lane.groupOrder },
    },
  };
}

/**
 * Files side by side: most of a suite's time is waiting (timers, sockets, workerd), so as many
 * files as cores, at least 2, run at once, beside the PGlite lane (vitest's default, one less
 * than the cores, would run the whole suite in a row on a 2-core machine). Measured on 2 cores:
 * 3 at once here starved the 1,000-connection test (cross-request-io.node.test.ts).
 */
const PARALLEL = { maxWorkers: Math.max(2, availableParallelism()), groupOrder: 0 };
/**
 * PGlite is one database session the bridge hands to one connection at a time: the suites on
 * it run one file at a time, in a group of their own (after the others when vitest runs all
 * projects; `npm test` runs this group in a second vitest beside the first).
 */
const ONE_AT_A_TIME = { maxWorkers: 1, groupOrder: 1 };

export default defineConfig({
  test: {
    // A fresh clone has no timings: start the long suites first (test/setup/sequencer.mjs).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'domain',
          include: ['test/domain/**/*.test.ts'],
          environment: 'node',
          maxWorkers: PARALLEL.maxWorkers,
          // A worker runs file after file (no fresh process each): the files share no state.
          isolate: false,
        },
      },
      {
        test: {
          name: 'tooling',
          include: ['test/**/*.node.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          maxWorkers: PARALLEL.maxWorkers,
          // As in `domain`: each suite starts and stops what it serves, on ports of its own.
          isolate: false,
        },
      },
      workersProject(
        'workers',
        ['test/integration/**/*.test.ts', 'test/security/**/*.test.ts'],
        ONE_AT_A_TIME,
      ),
      // The read-model suites again on Debian's PostgreSQL 15 (Neon runs 16/17, PGlite 18): the
      // SQL, the plans, RLS, the projection and its rebuild on a second Postgres. Not again
      // here: the suites of the Worker's own logic around the database (STALE ages on a
      // controllable clock, the bridge's freeze, read-your-writes positions, cache keys per
      // read family), whose statements the suites that do run here already run.
      workersProject('workers-pg15', ['test/integration/**/*.db.test.ts'], PARALLEL, [
        'test/integration/stale-age.db.test.ts',
        'test/integration/read-freeze.db.test.ts',
        'test/integration/session-consistency.db.test.ts',
        'test/integration/read-families.db.test.ts',
      ]),
    ],
  },
});
