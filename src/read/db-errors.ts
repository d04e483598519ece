/** Describing database failures for the logs without leaking statements or tenant data. */

/**
 * Our own error classes whose messages carry no values from the books (at most ids, as in
 * ProjectionIntegrityError) and may be logged.
 */
const OWN_MESSAGES = new Set([
  'ProjectionIntegrityError',
  'TimeoutError',
  'NoBuildSlotError',
  'ReadModelRegressedError',
]);

interface PgFields {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

/**
 * A short, safe description of a failure around Postgres, for logs (a projection delivery, a
 * cache build). Never the driver's message: drizzle puts the whole statement and its
 * parameters (tenant data) there. Only the error class and, for Postgres errors, the SQLSTATE
 * code and constraint name (on the error drizzle wrapped, or on the error itself); the
 * message only of our own errors. The kind of a driver failure without a SQLSTATE (timeout,
 * connection) is read from the driver's own error, never from drizzle's message, which would
 * let the statement's text decide the label.
 */
export function describeDbError(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const cause = (err as { cause?: PgFields }).cause;
  const pg = cause ?? (err as PgFields);
  const code = typeof pg.code === 'string' ? ` sqlstate=${pg.code}` : '';
  const constraint = typeof pg.constraint === 'string' ? ` constraint=${pg.constraint}` : '';
  const own = OWN_MESSAGES.has(err.name) ? `: ${err.message.slice(0, 200)}` : '';
  const driverText = String(cause === undefined ? err.message : (cause.message ?? ''));
  const kind =
    own || code
      ? ''
      : /timeout/i.test(driverText)
        ? ' (timeout)'
        : /connect|terminated|closed|refused|socket/i.test(driverText)
          ? ' (connection)'
          : '';
  return `${err.name}${code}${constraint}${own}${kind}`;
}
