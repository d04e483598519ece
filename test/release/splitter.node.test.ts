/**
 * The rehearsal's splitter, the local stand-in for the platform's version routing: overrides
 * pick a version of the deployment (even at 0 %), a version key always lands on the same
 * version for a given split, other requests follow the percentages, and only the rehearsal
 * (with its token) may change the deployment.
 */
import { describe, expect, it } from 'vitest';
import splitter from '../../scripts/release/rehearse/splitter-worker.mjs';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const served = (id: string) => ({ fetch: async () => new Response(id) });
const env = {
  WORKER_NAME: 'finance-edge',
  CONTROL_TOKEN: 'secret-token',
  [`V_${A.replaceAll('-', '_')}`]: served(A),
  [`V_${B.replaceAll('-', '_')}`]: served(B),
};
const call = async (headers: Record<string, string> = {}) =>
  (await splitter.fetch(new Request('http://local/health', { headers }), env)).text();
const deploy = (versions: unknown, token = 'secret-token') =>
  splitter.fetch(
    new Request('http://local/__rehearsal/deployment', {
      method: 'PUT',
      headers: { 'X-Rehearsal-Control': token },
      body: JSON.stringify(versions),
    }),
    env,
  );

describe('rehearsal splitter', () => {
  it('refuses a deployment change without the control token, and serves nothing before one', async () => {
    expect((await deploy([{ id: A, percentage: 100 }], 'guess')).status).toBe(403);
    expect((await splitter.fetch(new Request('http://local/health'), env)).status).toBe(503);
  });

  it('honours an override for this Worker to a version at 0 %, and ignores the others', async () => {
    expect(
      (
        await deploy([
          { id: A, percentage: 100 },
          { id: B, percentage: 0 },
        ])
      ).status,
    ).toBe(200);
    for (let i = 0; i < 20; i++) expect(await call()).toBe(A);
    expect(await call({ 'Cloudflare-Workers-Version-Overrides': `finance-edge="${B}"` })).toBe(B);
    expect(
      await call({
        'Cloudflare-Workers-Version-Overrides': `other-worker="${A}", finance-edge="${B}"`,
      }),
    ).toBe(B);
    expect(await call({ 'Cloudflare-Workers-Version-Overrides': `other-worker="${B}"` })).toBe(A);
    expect(await call({ 'Cloudflare-Workers-Version-Overrides': `finance-edge=${B}` })).toBe(A); // not a string: invalid
    expect(
      await call({
        'Cloudflare-Workers-Version-Overrides':
          'finance-edge="33333333-3333-4333-8333-333333333333"',
      }),
    ).toBe(A); // not deployed
  });

  it('keeps a version key on one version, and splits keys by the percentages', async () => {
    await deploy([
      { id: A, percentage: 70 },
      { id: B, percentage: 30 },
    ]);
    const keys = Array.from({ length: 1000 }, (_, i) => `tenant-${i}`);
    const first = await Promise.all(keys.map((k) => call({ 'Cloudflare-Workers-Version-Key': k })));
    const again = await Promise.all(keys.map((k) => call({ 'Cloudflare-Workers-Version-Key': k })));
    expect(again).toEqual(first);
    const share = first.filter((v) => v === B).length / keys.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    // Growing the canary's share only moves keys from stable to canary (stable listed first).
    await deploy([
      { id: A, percentage: 40 },
      { id: B, percentage: 60 },
    ]);
    const wider = await Promise.all(keys.map((k) => call({ 'Cloudflare-Workers-Version-Key': k })));
    expect(keys.filter((_, i) => first[i] === B && wider[i] === A)).toEqual([]);
    expect(wider.filter((v) => v === B).length).toBeGreaterThan(
      first.filter((v) => v === B).length,
    );
  });
});
