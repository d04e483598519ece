// Verdicts of the bench: every section returns `targets`, objects of the form
// `{ name, value, pass: true | false | null, info?: true, issue?: number }`. `allTargets`
// lists them with their section; `byIssue` keeps those tagged with an issue, so a section
// adds a target to an issue's summary by giving it `issue: <n>` (e.g. `issue: 21`).

/** Every target of every section, with `section`; a section that failed counts as one FAIL. */
export function allTargets(results) {
  const out = [];
  for (const [name, s] of Object.entries(results.sections)) {
    if (s.error) out.push({ section: name, name: 'section ran', value: 'error', pass: false });
    for (const t of s.targets ?? []) out.push({ section: name, ...t });
  }
  return out;
}

/** Targets tagged with an issue, per issue number (ascending). */
export function byIssue(results) {
  const out = new Map();
  for (const t of allTargets(results)) {
    if (t.issue === undefined) continue;
    if (!out.has(t.issue)) out.set(t.issue, []);
    out.get(t.issue).push(t);
  }
  return [...out.entries()].sort(([a], [b]) => a - b);
}

export const verdict = (t) =>
  t.info ? 'INFO' : t.pass === null ? 'SKIP' : t.pass ? 'PASS' : 'FAIL';

/** "3 PASS, 2 FAIL, 1 INFO" for a list of targets. */
export function tally(targets) {
  const n = {};
  for (const t of targets) n[verdict(t)] = (n[verdict(t)] ?? 0) + 1;
  return ['PASS', 'FAIL', 'SKIP', 'INFO']
    .filter((k) => n[k])
    .map((k) => `${n[k]} ${k}`)
    .join(', ');
}

/** The issue summaries as `{ caption, head, rows }` tables (target, measured, verdict, section). */
export function issueTables(results) {
  return byIssue(results).map(([issue, targets]) => ({
    caption: `Issue #${issue} targets: ${tally(targets)} (sections run: ${Object.keys(results.sections).join(', ')})`,
    head: ['target', 'measured', 'verdict', 'section'],
    rows: targets.map((t) => [t.name, t.value, verdict(t), t.section]),
  }));
}
