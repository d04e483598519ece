// k6 stages for the local replay (autocannon.mjs): durations in seconds, and a ramp as a
// staircase of short closed-loop runs.

const SEGMENT_S = 2;

/** Parses k6 durations (`1m30s`, `10s`, `500ms`, `1h`) into seconds. */
export function seconds(d) {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let m;
  let matched = '';
  while ((m = re.exec(String(d)))) {
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
    matched += m[0];
  }
  if (matched !== String(d)) throw new Error(`unsupported duration "${d}"`);
  return total;
}

/**
 * The stages as a staircase of `{ vus, seconds }` steps: each stage scaled by `scale`, split
 * into steps of about SEGMENT_S seconds at the VU count the ramp reaches halfway through
 * each step, capped at `maxVus`.
 */
export function staircase(stages, { scale, maxVus, startVus = 0 }) {
  const steps = [];
  let from = startVus;
  for (const st of stages) {
    const dur = seconds(st.duration) * scale;
    const n = Math.max(1, Math.round(dur / SEGMENT_S));
    for (let i = 0; i < n; i++) {
      const vus = Math.round(from + ((st.target - from) * (i + 0.5)) / n);
      steps.push({ vus: Math.min(maxVus, vus), declaredVus: vus, seconds: dur / n });
    }
    from = st.target;
  }
  return steps;
}
