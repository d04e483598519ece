// Every decision the controller takes is printed twice: one line for a person and one JSON
// line (prefixed `release:`) for a pipeline, and is recorded in the state file.

/** The JSON line's prefix, so a pipeline can pick decisions out of other output. */
export const JSON_PREFIX = 'release: ';

/**
 * Prints a decision and returns its record. `fields` is JSON-ready (event, step, percent,
 * figures, gate, ...); `human` is the sentence for the person watching.
 */
export function decision(out, at, event, human, fields = {}) {
  const record = { at: new Date(at).toISOString(), event, ...fields };
  out(`[${record.at.slice(11, 19)}] ${human}`);
  out(`${JSON_PREFIX}${JSON.stringify(record)}`);
  return record;
}

/** `12.3 %` style figures for the human line. */
export function describeFigures(label, f) {
  return `${label} ${f.requests} req, ${(f.errorRatio * 100).toFixed(2)} % errors, p95 ${f.p95Ms.toFixed(1)} ms`;
}
