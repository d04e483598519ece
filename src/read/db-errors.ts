/** Describing database failures for the logs without leaking statements or tenant data. */

/** Our own error classes whose messages name no tenant data and may be logged. */
const OWN_MESSAGES = new Set(['ProjectionIntegrityError', 'TimeoutError', 'NoBuildSlotError']);

/**
 * A short, safe description of a failure around Postgres, for logs (a projection delivery, a
 * cache build). Never the driver's message: drizzle puts the whole statement and its
 * parameters (tenant data) there. Only the error class and, for Postgres errors, the SQLSTATE
 * code and constraint name; the message only of our own errors that say nothing of the data.
 */
export function describeDbError(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const cause = (err as { cause?: { code?: unknown; constraint?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? ` sqlstate=${cause.code}` : '';
  const constraint = typeof cause?.constraint === 'string' ? ` constraint=${cause.constraint}` : '';
  const own = OWN_MESSAGES.has(err.name) ? `: ${err.message.slice(0, 200)}` : '';
  // The driver's own errors are plain `Error`s: name their kind, never their text.
  const text = `${err.message} ${String((cause as { message?: unknown } | undefined)?.message ?? '')}`;
  const kind = own || code ? '' : /timeout/i.test(text) ? ' (timeout)' : /connect|terminated|closed|refused|socket/i.test(text) ? ' (connection)' : '';
  return `${err.name}${code}${constraint}${own}${kind}`;
}
