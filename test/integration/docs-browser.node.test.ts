/**
 * `/docs` in a real browser, offline: Debian's headless Chromium (driven by playwright-core,
 * never a downloaded browser) opens the page served by the Worker as `wrangler deploy` builds
 * it, running in Miniflare (scripts/bench/worker.mjs), with every request to any origin but
 * 127.0.0.1 refused. The reference must render every operation of `/openapi.json` (by its
 * summary) with no CSP violation, no page error and no attempt to reach another origin.
 *
 * Chromium comes from `apt-get install chromium` (.ci/run installs it where missing). Without
 * it the suite is skipped locally, with a message; under CI it fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, readWranglerConfig, startWorker } from '../../scripts/bench/worker.mjs';
import { newKeyPair } from '../../scripts/lib/dev-keys.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Rendering a 5 MB script on a busy 2-core machine: generous, but bounded. */
const RENDER_TIMEOUT_MS = 30_000;

type Operation = { summary?: string; operationId?: string };

const available = existsSync(CHROMIUM);
if (!available)
  console.warn(
    `${CHROMIUM} not found: skipping the /docs browser test (apt-get install chromium)${process.env.CI ? '; under CI this fails' : ''}`,
  );

describe.skipIf(!available && !process.env.CI)('/docs in headless Chromium, offline', () => {
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let bundleDir: string | undefined;
  let profileDir: string | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (apt-get install chromium)`).toBe(true);
    const [bundle, config] = await Promise.all([buildBundle(), readWranglerConfig()]);
    bundleDir = bundle.dir;
    const keys = await newKeyPair('docs-browser');
    // /docs and /openapi.json touch neither Postgres nor tokens: the database URL names a closed port.
    const vars = {
      DATABASE_URL: 'postgres://docs@127.0.0.1:9/none',
      AUTH_PUBLIC_JWK: JSON.stringify(keys.publicJwk),
      RATE_LIMIT_IP: 'off',
    };
    worker = await startWorker({ config, bundle, vars, persistDir: undefined });
    profileDir = mkdtempSync(path.join(tmpdir(), 'finance-edge-chromium-'));
    // A persistent context is how Playwright takes a fresh --user-data-dir of our own.
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await worker?.dispose();
    for (const dir of [profileDir, bundleDir])
      if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every operation of /openapi.json from this origin alone, with no CSP violation', async () => {
    if (!context || !worker) throw new Error('the browser or the Worker did not start');
    const base = String(worker.url);
    const origin = new URL(base).origin;
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([route, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        name: `${method.toUpperCase()} ${route}`,
        label: op.summary ?? op.operationId ?? '',
      })),
    );
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations) expect(op.label, op.name).not.toBe('');

    const offHost: string[] = [];
    const requested: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      offHost.push(url.href);
      return route.abort('blockedbyclient');
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || /content.security.policy/i.test(m.text()))
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requested.push(r.url()));
    // Injected by the browser's debugging protocol, so the page's own CSP does not apply to it.
    // Some violations (a refused eval) reach only this event, not the console.
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));",
    });

    const res = await page.goto(`${base}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self';/);
    for (const op of operations) {
      await page
        .getByText(op.label, { exact: true })
        .filter({ visible: true })
        .first()
        .waitFor({ state: 'visible', timeout: RENDER_TIMEOUT_MS });
    }

    expect(problems).toEqual([]);
    expect(offHost).toEqual([]);
    // Every network request went to the Worker (data: and blob: URLs never leave the page).
    expect(
      requested.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u)),
    ).toEqual([]);
    expect(requested.map((u) => new URL(u).pathname)).toEqual(
      expect.arrayContaining([
        '/docs',
        '/openapi.json',
        expect.stringMatching(/^\/docs\/assets\/scalar-[0-9a-f]{16}\.js$/),
      ]),
    );
  }, 90_000);
});
