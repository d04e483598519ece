// Renders bench results as plain-text tables (terminal) and Markdown (bench-results/latest.md).
import { consistencyTables } from './report-consistency.mjs';
import { readsTables } from './report-reads.mjs';
import { allTargets, issueTables, verdict } from './verdicts.mjs';

const TITLES = {
  commands: 'Commands into one tenant (POST /v1/customers) vs the /health ceiling',
  coldload: 'Cold load of one customer stream (first GET /v1/customers/:id in a fresh workerd)',
  projection: 'Projection of a backlog into Postgres (DO alarm → Neon driver → bridge → database)',
  reads: 'Read-heavy mix (80% GET lists/reports, 20% POST /v1/customers) vs the /health ceiling',
  consistency: 'A client reading its own writes (write, then at once the read that must show it)',
};

function sectionTables(name, s) {
  if (s.error) return [{ caption: 'error', head: ['error'], rows: [[s.error]] }];
  if (name === 'consistency') return consistencyTables(s);
  if (name === 'commands') {
    return [
      {
        caption: `${s.seconds} s per run, autocannon closed loop; commands/s counts 2xx only`,
        head: [
          'conn',
          '/health req/s',
          '/health p99 ms',
          'commands/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'non-2xx',
          'errors',
          'commands / ceiling',
        ],
        rows: s.rows.map((r) => [
          r.connections,
          r.ceiling.rps,
          r.ceiling.latencyMs.p99,
          r.commandsPerSec,
          r.commands.latencyMs.p50,
          r.commands.latencyMs.p95,
          r.commands.latencyMs.p99,
          r.commands.non2xx,
          r.commands.errors,
          r.ratio,
        ]),
      },
      ...(s.breakdown
        ? [
            {
              caption:
                'where the time goes: each step adds a part of the write path (same connection count as the target)',
              head: ['step', 'req/s', 'p50 ms', 'p99 ms', 'unexpected status'],
              rows: s.breakdown.map((b) => [b.step, b.rps, b.p50, b.p99, b.unexpected]),
            },
          ]
        : []),
      ...(s.ledgerAfter
        ? [
            {
              caption: 'read model (Postgres projection) of the bench tenant when the load stopped',
              head: ['ledger position', 'projected', 'behind', 'caught up after s', 'last error'],
              rows: [
                [
                  s.ledgerAfter.position,
                  s.ledgerAfter.projectedPosition,
                  s.ledgerAfter.position - s.ledgerAfter.projectedPosition,
                  s.projectionCatchUp?.ok
                    ? round1(s.projectionCatchUp.ms / 1000)
                    : `not within ${round1((s.projectionCatchUp?.ms ?? 0) / 1000)}`,
                  s.projectionCatchUp?.status?.lastError ?? s.ledgerAfter.lastError ?? '–',
                ],
              ],
            },
          ]
        : []),
    ];
  }
  if (name === 'coldload') {
    return [
      {
        caption: `median of ${s.reps} fresh workerd instances; warm = median of ${s.warmReads} reads after the first; load cost = cold − warm${s.skipped?.length ? `; SKIPPED (time budget): ${s.skipped.join(', ')} events` : ''}`,
        head: [
          'events in stream',
          'cold (snapshots) ms',
          'warm ms',
          'load cost ms',
          'cold (full replay) ms',
          'load cost ms',
          'snapshot speed-up',
        ],
        rows: s.rows.map((r) => [
          r.size,
          r.snapshots.firstMs,
          r.snapshots.warmMs,
          r.snapshots.loadMs,
          r.replay.firstMs,
          r.replay.loadMs,
          r.speedup === null ? '–' : `${r.speedupAtLeast ? '≥' : ''}×${r.speedup}`,
        ]),
      },
      {
        caption:
          "seeding through the ledger's execute RPC from inside workerd (8 in flight), read model cut",
        head: ['events', 'seconds', 'events/s'],
        rows: s.seeding.rows.map((r) => [r.events, r.seconds, r.eventsPerSec]),
      },
    ];
  }
  if (name === 'projection') {
    return [
      {
        caption: `database: ${s.database}; backlog built with the database cut, then restored`,
        head: [
          'backlog events',
          'seconds to catch up',
          'events/s',
          'first batch after ms',
          'events/s after the first batch',
          'seeding events/s',
        ],
        rows: [
          [
            s.backlog,
            s.seconds,
            s.eventsPerSec,
            s.firstBatchMs,
            s.steadyPerSec,
            s.seeded.eventsPerSec,
          ],
        ],
      },
    ];
  }
  if (name === 'reads') return readsTables(s);
  return [];
}

const overrides = (r) =>
  Object.entries(r.varOverrides)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

function machineLine(r) {
  const m = r.machine;
  const load = m.loadAvgBefore ? `; load average before ${m.loadAvgBefore.join(' / ')}` : '';
  const fsync = m.fsyncMsBefore
    ? `; fsync (4 KiB) p50 ${m.fsyncMsBefore.p50} ms before, ${m.fsyncMsAfter?.p50 ?? '?'} ms after`
    : '';
  const cpu = r.cpu
    ? `; CPU during the run: bench ${r.cpu.benchPct}%, other processes ${r.cpu.othersPct}%, idle ${r.cpu.idlePct}%`
    : '';
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; miniflare ${m.miniflare ?? '?'}; ${m.database ?? ''}; ${m.storage ?? ''}${fsync}${load}${cpu}`;
}

export function renderText(r) {
  const lines = [];
  lines.push(`finance-edge bench — ${r.startedAt} — ${r.command}`);
  lines.push(`machine: ${machineLine(r)}`);
  if (r.varOverrides) lines.push(`vars over wrangler.toml: ${overrides(r)}`);
  if (r.machine.busyWarning) lines.push(`WARNING: ${r.machine.busyWarning}`);
  if (r.error) lines.push(`ERROR: ${r.error}`);
  for (const [name, s] of Object.entries(r.sections)) {
    lines.push(
      '',
      `${TITLES[name] ?? name}${s.elapsedSeconds ? ` (${s.elapsedSeconds} s${s.cpu ? `; other processes ${s.cpu.othersPct}% CPU` : ''})` : ''}`,
    );
    for (const t of sectionTables(name, s)) {
      if (t.caption) lines.push(`  ${t.caption}`);
      lines.push(...textTable(t.head, t.rows).map((l) => `  ${l}`));
    }
  }
  const targets = allTargets(r);
  if (targets.length) {
    lines.push('', 'Targets');
    lines.push(
      ...textTable(
        ['', 'target', 'measured', 'section'],
        targets.map((t) => [verdict(t), t.name, t.value, t.section]),
      ).map((l) => `  ${l}`),
    );
  }
  for (const t of issueTables(r)) {
    lines.push('', t.caption);
    lines.push(...textTable(t.head, t.rows).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

export function renderMarkdown(r) {
  const lines = [];
  lines.push(`# finance-edge bench — ${r.startedAt}`, '');
  lines.push(`Command: \`${r.command}\`${r.quick ? ' (quick)' : ''}  `);
  lines.push(`Machine: ${machineLine(r)}  `);
  if (r.varOverrides) lines.push(`Vars over wrangler.toml: ${overrides(r)}  `);
  lines.push(`Total time: ${r.elapsedSeconds} s`);
  if (r.machine.busyWarning) lines.push('', `> **Warning:** ${r.machine.busyWarning}`);
  if (r.error) lines.push('', `**Error:** ${r.error}`);
  const targets = allTargets(r);
  if (targets.length) {
    lines.push('', '## Targets', '');
    lines.push(
      ...mdTable(
        ['result', 'target', 'measured', 'section'],
        targets.map((t) => [`**${verdict(t)}**`, t.name, t.value, t.section]),
      ),
    );
  }
  for (const t of issueTables(r)) {
    lines.push('', `## ${t.caption}`, '');
    lines.push(
      ...mdTable(
        t.head,
        t.rows.map(([n, v, x, sec]) => [n, v, `**${x}**`, sec]),
      ),
    );
  }
  for (const [name, s] of Object.entries(r.sections)) {
    lines.push('', `## ${TITLES[name] ?? name}`, '');
    if (s.cpu)
      lines.push(
        `${s.elapsedSeconds} s; CPU: bench ${s.cpu.benchPct}%, other processes ${s.cpu.othersPct}%, idle ${s.cpu.idlePct}%.`,
        '',
      );
    for (const t of sectionTables(name, s)) {
      if (t.caption) lines.push(`${t.caption[0].toUpperCase()}${t.caption.slice(1)}.`, '');
      lines.push(...mdTable(t.head, t.rows), '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

const round1 = (x) => Math.round(x * 10) / 10;
const cell = (v) => (v === null || v === undefined ? '–' : String(v));

function textTable(head, rows) {
  const all = [head, ...rows].map((r) => r.map(cell));
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const fmt = (r) =>
    r
      .map((c, i) => (i === 0 || isNaN(Number(c)) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(fmt)];
}

function mdTable(head, rows) {
  const esc = (c) => cell(c).replace(/\|/g, '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
}
