/**
 * The wrangler adapter: the exact argument lists, the ND-JSON output file (recorded lines in
 * fixtures/: wrangler-dry-run.ndjson was written by wrangler 4.164 here; the upload/deploy lines
 * follow its writeOutput records with ids filled in), and a run through a fake `wrangler` on PATH.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deployArgs,
  deployedDeployment,
  deploySingleArgs,
  parseDeploymentStatus,
  parseOutputFile,
  rollbackArgs,
  statusArgs,
  uploadArgs,
  uploadedVersion,
  viewArgs,
} from '../../scripts/release/wrangler.mjs';
import { CANARY, STABLE, fakeWrangler } from './helpers';

const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('argument lists', () => {
  it('uploads with the git sha as tag and a message', () => {
    expect(uploadArgs({ env: 'production', tag: 'abc123', message: 'release abc123' })).toEqual([
      'versions',
      'upload',
      '--env',
      'production',
      '--tag',
      'abc123',
      '--message',
      'release abc123',
    ]);
  });
  it.each([0, 10, 30, 60, 100])(
    'deploys a split at %i %% with stable first and canary second',
    (p) => {
      expect(
        deployArgs({ env: 'production', stable: 'S', canary: 'C', canaryPercent: p, message: 'm' }),
      ).toEqual([
        'versions',
        'deploy',
        `S@${100 - p}%`,
        `C@${p}%`,
        '--env',
        'production',
        '--message',
        'm',
        '-y',
      ]);
    },
  );
  it.each([-1, 101, 12.5])('refuses a canary share of %s', (p) => {
    expect(() =>
      deployArgs({ env: 'production', stable: 'S', canary: 'C', canaryPercent: p, message: 'm' }),
    ).toThrow(/0-100/);
  });
  it('deploys one version at 100 %, rolls back, asks for the deployment and a version', () => {
    expect(deploySingleArgs({ env: 'production', version: 'S', message: 'm' })).toEqual([
      'versions',
      'deploy',
      'S@100%',
      '--env',
      'production',
      '--message',
      'm',
      '-y',
    ]);
    expect(rollbackArgs({ env: 'production', version: 'S', message: 'm' })).toEqual([
      'rollback',
      'S',
      '--env',
      'production',
      '--message',
      'm',
      '-y',
    ]);
    expect(statusArgs({ env: 'production' })).toEqual([
      'deployments',
      'status',
      '--env',
      'production',
      '--json',
    ]);
    expect(viewArgs({ env: 'production', version: 'S' })).toEqual([
      'versions',
      'view',
      'S',
      '--env',
      'production',
      '--json',
    ]);
  });
});

describe('wrangler output file', () => {
  it('reads the version id of an upload', () => {
    const entries = parseOutputFile(fixture('wrangler-upload.ndjson'));
    expect(entries.map((e: { type: string }) => e.type)).toEqual([
      'wrangler-session',
      'version-upload',
    ]);
    expect(uploadedVersion(entries)).toEqual({ id: CANARY, workerName: 'finance-edge-production' });
  });
  it('refuses the recorded dry-run upload, whose version_id is null', () => {
    const entries = parseOutputFile(fixture('wrangler-dry-run.ndjson'));
    expect(() => uploadedVersion(entries)).toThrow(/no version_id/);
  });
  it('reads a deployment id and refuses output without the entry', () => {
    expect(deployedDeployment(parseOutputFile(fixture('wrangler-deploy.ndjson')))).toEqual({
      deploymentId: 'd4f0b7e2-1c3a-4e5f-8a9b-0c1d2e3f4a5b',
      workerName: 'finance-edge-production',
    });
    expect(() => uploadedVersion(parseOutputFile(fixture('wrangler-deploy.ndjson')))).toThrow(
      /no version-upload/,
    );
    expect(() => parseOutputFile('{"type":"deploy"}\nnot json\n')).toThrow(/line 2/);
  });
  it('reads the current deployment from deployments status --json', () => {
    expect(
      parseDeploymentStatus(
        JSON.stringify({
          versions: [
            { version_id: 'a', percentage: 90 },
            { version_id: 'b', percentage: 10 },
          ],
        }),
      ),
    ).toEqual([
      { id: 'a', percentage: 90 },
      { id: 'b', percentage: 10 },
    ]);
    expect(() => parseDeploymentStatus('Deployment ID: ...')).toThrow(/other than JSON/);
  });
});

describe('a fake wrangler on PATH', () => {
  let fake: ReturnType<typeof fakeWrangler>;
  afterEach(() => fake?.remove());

  it('runs with the exact arguments and hands back the entries it wrote', async () => {
    fake = fakeWrangler();
    const r = await fake.wrangler.ok(
      uploadArgs({ env: 'production', tag: 'abc', message: 'release abc' }),
    );
    expect(uploadedVersion(r.entries).id).toBe(CANARY);
    expect(r.stdout).toContain('printed for humans only');
    await fake.wrangler.ok(
      deployArgs({
        env: 'production',
        stable: STABLE,
        canary: CANARY,
        canaryPercent: 10,
        message: 'm',
      }),
    );
    expect(fake.calls()).toEqual([
      ['versions', 'upload', '--env', 'production', '--tag', 'abc', '--message', 'release abc'],
      [
        'versions',
        'deploy',
        `${STABLE}@90%`,
        `${CANARY}@10%`,
        '--env',
        'production',
        '--message',
        'm',
        '-y',
      ],
    ]);
  });

  it('fails loudly on a non-zero exit', async () => {
    fake = fakeWrangler({ FAKE_WRANGLER_FAIL: '^versions deploy' });
    await expect(
      fake.wrangler.ok(deploySingleArgs({ env: 'production', version: STABLE, message: 'm' })),
    ).rejects.toThrow(/versions deploy failed \(exit 1\).*Cloudflare API failed/);
  });
});
