// The controller's only way to Cloudflare: the `wrangler` on PATH (npm puts the project's
// node_modules/.bin first), called with exact argument lists, its results read from the
// machine-readable ND-JSON file wrangler appends to when WRANGLER_OUTPUT_FILE_PATH is set —
// never from its human output. Tests and the rehearsal put their own `wrangler` first on PATH.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** `wrangler versions upload`: the git sha as the tag, so a deployed version names its commit. */
export function uploadArgs({ env, tag, message }) {
  return ['versions', 'upload', '--env', env, '--tag', tag, '--message', message];
}

/**
 * `wrangler versions deploy` of a split: always stable first, then canary, so each Durable
 * Object's version only moves forward (stable → canary) as the canary's share grows.
 */
export function deployArgs({ env, stable, canary, canaryPercent, message }) {
  if (!Number.isInteger(canaryPercent) || canaryPercent < 0 || canaryPercent > 100)
    throw new Error(`canary percentage must be 0-100, got ${canaryPercent}`);
  return [
    'versions',
    'deploy',
    `${stable}@${100 - canaryPercent}%`,
    `${canary}@${canaryPercent}%`,
    '--env',
    env,
    '--message',
    message,
    '-y',
  ];
}

/** One version at 100 %: the promotion's last deployment and the rollback to stable. */
export function deploySingleArgs({ env, version, message }) {
  return ['versions', 'deploy', `${version}@100%`, '--env', env, '--message', message, '-y'];
}

/** `wrangler rollback`: the fallback when a versions deploy back to stable itself fails. */
export function rollbackArgs({ env, version, message }) {
  return ['rollback', version, '--env', env, '--message', message, '-y'];
}

export const statusArgs = ({ env }) => ['deployments', 'status', '--env', env, '--json'];
export const viewArgs = ({ env, version }) => ['versions', 'view', version, '--env', env, '--json'];
export const secretListArgs = ({ env }) => ['secret', 'list', '--env', env, '--format', 'json'];

/** Secret names from `wrangler secret list --format json` (a JSON array of { name, type }, maybe after a banner). */
export function parseSecretList(stdout) {
  const start = stdout.search(/^\[/m);
  let list;
  try {
    list = JSON.parse(start >= 0 ? stdout.slice(start) : stdout);
  } catch {
    throw new Error('wrangler secret list --format json printed something other than JSON');
  }
  if (!Array.isArray(list)) throw new Error('wrangler secret list --format json is not a list');
  return list.map((s) => String(s.name));
}

/** Entries of wrangler's output file (ND-JSON); blank lines skipped, a broken line is an error. */
export function parseOutputFile(text) {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`wrangler output file line ${i + 1} is not JSON`);
      }
    });
}

/** The uploaded version's id from a `version-upload` entry; throws when there is none (e.g. a dry run). */
export function uploadedVersion(entries) {
  const upload = entries.findLast((e) => e.type === 'version-upload');
  if (!upload) throw new Error('wrangler wrote no version-upload entry');
  if (typeof upload.version_id !== 'string' || upload.version_id === '')
    throw new Error("wrangler's version-upload entry has no version_id (a dry run?)");
  return { id: upload.version_id, workerName: upload.worker_name ?? null };
}

/** The deployment id of a `version-deploy` entry (wrangler writes one per successful deploy). */
export function deployedDeployment(entries) {
  const deploy = entries.findLast((e) => e.type === 'version-deploy');
  if (!deploy) throw new Error('wrangler wrote no version-deploy entry');
  return { deploymentId: deploy.deployment_id ?? null, workerName: deploy.worker_name ?? null };
}

/** The deployment's versions from `deployments status --json` ({ versions: [{ version_id, percentage }] }). */
export function parseDeploymentStatus(stdout) {
  let body;
  try {
    body = JSON.parse(stdout);
  } catch {
    throw new Error('wrangler deployments status --json printed something other than JSON');
  }
  if (!Array.isArray(body?.versions))
    throw new Error('wrangler deployments status --json has no versions');
  return body.versions.map((v) => ({ id: String(v.version_id), percentage: Number(v.percentage) }));
}

/**
 * Runs wrangler commands. `run(args)` resolves to `{ code, stdout, stderr, entries }` with the
 * ND-JSON entries this call wrote; `ok(args)` throws unless it exited 0.
 * @param {{ cwd: string, env?: Record<string, string|undefined>, bin?: string, timeoutMs?: number }} o
 */
export function createWrangler(o) {
  const bin = o.bin ?? 'wrangler';
  const run = (args) =>
    new Promise((resolve, reject) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'release-wrangler-'));
      const outFile = path.join(dir, 'output.ndjson');
      const child = spawn(bin, args, {
        cwd: o.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...(o.env ?? process.env),
          WRANGLER_OUTPUT_FILE_PATH: outFile,
          WRANGLER_SEND_METRICS: 'false',
          NO_COLOR: '1',
          FORCE_COLOR: '0',
        },
        timeout: o.timeoutMs ?? 300_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.once('error', (err) => {
        rmSync(dir, { recursive: true, force: true });
        reject(new Error(`cannot run ${bin}: ${err.message}`));
      });
      child.once('exit', (code) => {
        let entries = [];
        try {
          entries = existsSync(outFile) ? parseOutputFile(readFileSync(outFile, 'utf8')) : [];
        } catch (err) {
          stderr += `\n${err.message}`;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        resolve({ code, stdout, stderr, entries });
      });
    });
  return {
    run,
    async ok(args) {
      const r = await run(args);
      if (r.code !== 0)
        throw new Error(
          `wrangler ${args.slice(0, 2).join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`,
        );
      return r;
    },
  };
}
