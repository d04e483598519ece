// Tables of issue #21's measurements for report.mjs: the `consistency` section
// (consistency.mjs), one row per probe and database; and the `reads` section's mix with the
// cache on as "1,000 connections, restated" judges it (restated.mjs).

const ms = (p, q) => p?.[q] ?? '–';

/** `[{ caption, head, rows }]` of a consistency result. */
export function consistencyTables(s) {
  const rows = [];
  for (const [db, r] of Object.entries(s.runs ?? {})) {
    const row = (what, p, opts = '') => [
      db,
      what,
      opts,
      p.tries,
      p.misses,
      p.non200,
      ms(p.readMs, 'p50'),
      ms(p.readMs, 'p99'),
      ms(p.seenMs, 'p50'),
      ms(p.seenMs, 'p99'),
      p.unseen ?? '–',
      ms(p.writeMs, 'p50'),
      ms(p.writeMs, 'p99'),
      Object.entries(p.xcache)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ];
    for (const [name, p] of Object.entries(r.probes)) rows.push(row(name, p, 'writer, no header'));
    rows.push(row('list', r.withHeader, 'writer, X-Min-Position'));
    rows.push(row('list', r.otherPrincipal, 'principal B, no header'));
    rows.push(row('list: read-after-write', r.raw1, 'writer, 1 conn'));
    rows.push(row("customer's list: read-after-write", r.raw10, 'writer, 10 writer-readers'));
  }
  return [
    {
      caption: `each try: a write (plain HTTP, 127.0.0.1), then at once one read that must show it; a miss = a 200 answer without the write; read ms = that first read; shown ms = from the write's answer to the first answer showing it (re-reading every 10 ms, up to 3 s); one tenant per row${s.skipped ? `; ${s.skipped}` : ''}`,
      head: [
        'db',
        'read',
        'who, how',
        'tries',
        'misses',
        'non-200',
        'read p50',
        'read p99',
        'shown p50',
        'shown p99',
        'never shown',
        'write p50',
        'write p99',
        'X-Cache (first reads)',
      ],
      rows,
    },
  ];
}

const pct = (x) => (x === null || x === undefined ? '–' : `${Math.round(x * 1000) / 10}%`);

/** The cache-on mix at 100 and 1000 connections: errors, reads from cache, STALE ages. */
export function restatedTables(s) {
  const mix = s.configs?.['cache on']?.mix ?? {};
  const rows = Object.values(mix).map((m) => [
    m.connections,
    m.status5xx ?? '–',
    m.errors,
    m.timeouts,
    pct(m.cacheShare),
    pct(m.hitRate),
    m.xcache?.STALE ?? 0,
    m.staleAge?.maxSeconds ?? '–',
    m.staleAge?.noAge ?? '–',
  ]);
  if (!rows.length) return [];
  return [
    {
      caption:
        'the mix with the cache on, restated: socket errors include timeouts; from cache = (HIT + STALE) / read responses; the age of a STALE answer is its Age header (else X-Cache-Age), in seconds',
      head: [
        'conn',
        '5xx',
        'socket errors',
        'timeouts',
        'from cache',
        'hit rate',
        'STALE',
        'largest Age s',
        'STALE without Age',
      ],
      rows,
    },
  ];
}
