/**
 * The Worker → object handoff of a stream upgrade (src/ledger/stream/handoff.ts): what the
 * Worker writes, the object reads back; an upgrade from a Worker of the previous version
 * (no `batch` in its query, during a gradual deployment) is one frame per event, not refused;
 * anything malformed is not a handoff.
 */
import { describe, expect, it } from 'vitest';
import { handoffRequest, readHandoff, type StreamGrant } from '../../src/ledger/stream/handoff';

const grant: StreamGrant = {
  tenantId: 'acme',
  subject: 'user-1',
  permissions: ['books:read'],
  expiresAt: 1_800_000_000_000,
};
const limits = { perUser: 10, perTenant: 2000, maxUnacked: 2000 };

describe('stream handoff', () => {
  it('round-trips the grant, after, limits and batch', () => {
    for (const batch of [true, false])
      expect(readHandoff(handoffRequest(grant, 42, limits, batch))).toEqual({
        grant,
        after: 42,
        limits,
        batch,
      });
  });

  it('reads a handoff without batch (a Worker of the previous version) as one frame per event', () => {
    const req = handoffRequest(grant, 7, limits, true);
    const url = new URL(req.url);
    url.searchParams.delete('batch');
    expect(readHandoff(new Request(url, { headers: req.headers }))?.batch).toBe(false);
  });

  it('is not a handoff: a bad batch, a bad after, no principal, no upgrade', () => {
    const req = handoffRequest(grant, 7, limits, true);
    const withQuery = (name: string, value: string) => {
      const url = new URL(req.url);
      url.searchParams.set(name, value);
      return new Request(url, { headers: req.headers });
    };
    expect(readHandoff(withQuery('batch', 'yes'))).toBeNull();
    expect(readHandoff(withQuery('after', '-1'))).toBeNull();
    expect(readHandoff(new Request(req.url, { headers: { Upgrade: 'websocket' } }))).toBeNull();
    expect(readHandoff(new Request(req.url))).toBeNull();
  });
});
