/**
 * The TenantLedger's own Analytics Engine points (columns: src/telemetry/schema.ts): one per
 * command and one per projection drain, with the object's own version (a Durable Object
 * runs one version at a time, which may differ from the calling Worker's during a rollout).
 */
import type { ExecuteResponse } from '../ledger/contract';
import { LEDGER, dataPoint, writePoint } from './schema';

export interface LedgerFacts {
  tenantId: string;
  position: number;
  projectedPosition: number;
  outboxDepth: number;
  durationMs: number;
}

/** What a command's answer says about its outcome. */
export function commandOutcome(res: ExecuteResponse): { outcome: string; errorCode: string } {
  if (!res.ok) return { outcome: 'refused', errorCode: res.error.code };
  return { outcome: res.replayed ? 'replayed' : 'accepted', errorCode: '' };
}

/** Writes one ledger point (never throws, never awaited). */
export function writeLedgerPoint(
  env: Pick<Env, 'LEDGER_METRICS' | 'CF_VERSION_METADATA'>,
  command: string,
  outcome: string,
  errorCode: string,
  facts: LedgerFacts,
): void {
  const version = env.CF_VERSION_METADATA;
  writePoint(
    env.LEDGER_METRICS,
    dataPoint(LEDGER, facts.tenantId, {
      version_id: version?.id ?? 'local',
      version_tag: version?.tag ?? '',
      command,
      outcome,
      error_code: errorCode,
      duration_ms: Math.round(facts.durationMs * 100) / 100,
      outbox_depth: facts.outboxDepth,
      projection_lag: Math.max(0, facts.position - facts.projectedPosition),
      position: facts.position,
    }),
  );
}
