// The controller's state file: the plan, both versions, where the rollout stands and every
// decision so far. Written atomically (temp file + rename) after each change, so a controller
// killed mid-rollout resumes from the last step it deployed, and `--abort` knows the stable
// version to send all traffic back to.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/dev-keys.mjs';

/** Where `npm run release -- --env <env>` keeps its state unless `--state` says otherwise (git-ignored). */
export const stateFileFor = (env) => path.join(ROOT, '.release', `${env}.json`);

/**
 * Statuses: `uploaded` (canary uploaded, no traffic) → `smoked` (deployed at 0 %, smoke passed)
 * → `rolling` (at `step`) → `promoted` | `rolled_back` (final).
 */
export const FINAL = new Set(['promoted', 'rolled_back']);

export function newState({ env, plan, stable, canary, now }) {
  return {
    format: 1,
    env,
    plan,
    stable,
    canary,
    status: 'uploaded',
    step: -1,
    deployedStep: -1,
    stepStartedAt: null,
    startedAt: now,
    failedGate: null,
    decisions: [],
  };
}

/** The saved state, or null when there is none. */
export function readState(file) {
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, 'utf8'));
  if (state?.format !== 1 || !state.stable?.id || !state.canary?.id)
    throw new Error(`${file} is not a release state file`);
  return state;
}

export function writeState(file, state) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** True while a process with this pid runs (signal 0 only asks). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * One controller per state file: `<state>.lock` holds the owner's pid (created exclusively);
 * a lock whose process is gone (killed -9) is taken over. Returns the function that releases it.
 */
export function lockState(file) {
  const lock = `${file}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(lock, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && alive(owner))
        throw new Error(
          `another release (pid ${owner}) is running on ${file}; wait for it or stop it first`,
        );
      rmSync(lock, { force: true });
    }
  }
  throw new Error(`cannot lock ${file}`);
}
