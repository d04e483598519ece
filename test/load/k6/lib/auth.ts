/**
 * `setup()` of every HTTP script: a bearer token, a run id for the Idempotency-Keys, a few
 * customers every VU reads from the start, and one warm-up read of each list and report. The token is either pre-minted (`-e TOKEN=…`, e.g.
 * `npm run token -- --tenant load-1 --roles accountant`) or fetched once from an OAuth 2.0
 * token endpoint with the client-credentials grant (`TOKEN_URL`, `TOKEN_CLIENT_ID`,
 * `TOKEN_CLIENT_SECRET`, optional `TOKEN_SCOPE`). Never written into a script.
 */
import { check, fail } from 'k6';
import http from 'k6/http';
import { BASE_URL, env } from './config.ts';
import { LISTS, REPORTS } from './steps.ts';
import type { SetupData } from './steps.ts';

/** The bearer token for this run (see the file comment). */
export function token(): string {
  const pre = env('TOKEN');
  if (pre) return pre;
  const url = env('TOKEN_URL');
  if (!url)
    fail(
      'set TOKEN (a pre-minted bearer token) or TOKEN_URL with TOKEN_CLIENT_ID and TOKEN_CLIENT_SECRET',
    );
  const form: Record<string, string> = {
    grant_type: 'client_credentials',
    client_id: env('TOKEN_CLIENT_ID'),
    client_secret: env('TOKEN_CLIENT_SECRET'),
  };
  const scope = env('TOKEN_SCOPE');
  if (scope) form.scope = scope;
  const res = http.post(url, form, { tags: { name: 'token endpoint' } });
  const body = res.status === 200 ? (res.json() as { access_token?: unknown }) : {};
  if (typeof body.access_token !== 'string')
    fail(`token endpoint answered ${res.status} without an access_token`);
  return body.access_token;
}

/** Shared start of a run: token, run id, `customers` customers created through the API. */
export function setupData(customers = 3): SetupData {
  const t = token();
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const customerIds: string[] = [];
  for (let i = 1; i <= customers; i++) {
    const res = http.post(
      `${BASE_URL}/v1/customers`,
      JSON.stringify({ name: `Load ${runId} shared ${i}`, defaultCurrency: 'USD' }),
      {
        headers: {
          Authorization: `Bearer ${t}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': `k6-${runId}-setup-${i}`,
        },
        tags: { name: 'setup customer' },
      },
    );
    if (!check(res, { 'setup: customer created': (r) => r.status === 201 }))
      fail(`setup: POST /v1/customers answered ${res.status}: ${String(res.body).slice(0, 200)}`);
    customerIds.push(String((res.json() as { id: string }).id));
  }
  // Warm-up: each list and report once, tagged only `name: warm-up` (no `kind`), so the
  // gates measure the API rather than its first connections and builds; a short smoke run
  // would otherwise be mostly cold starts.
  for (const r of [...LISTS, ...REPORTS])
    http.get(`${BASE_URL}${r.path}`, {
      headers: { Authorization: `Bearer ${t}` },
      tags: { name: 'warm-up' },
    });
  return { token: t, runId, customerIds };
}
