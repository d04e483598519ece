/**
 * Errors of the read-side queries. Routes turn `InvalidQueryError` (and its subclass
 * `InvalidCursorError`) into 400 problem+json using `code` and `path`.
 */

/** A list, search or report parameter the query layer refuses (bad limit, filter value or date). */
export class InvalidQueryError extends Error {
  override name = 'InvalidQueryError';
  /** Stable machine code for problem+json. */
  readonly code: string = 'invalid_query';
  constructor(
    /** The parameter at fault, e.g. `limit` or `filters.issueDate.from`. */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** A cursor that is malformed, forged, or issued for other filters, another list or another tenant. */
export class InvalidCursorError extends InvalidQueryError {
  override name = 'InvalidCursorError';
  override readonly code = 'invalid_cursor';
  constructor(message = 'cursor is not valid for this list') {
    super('cursor', message);
  }
}

/** An integer from Postgres that a JS number cannot hold exactly (|n| > 2^53 - 1). */
export class UnsafeIntegerError extends Error {
  override name = 'UnsafeIntegerError';
}

/**
 * The value as an exact JS integer; throws `UnsafeIntegerError` beyond 2^53 - 1. Accepts
 * what drivers hand back for int8/numeric (string) as well as numbers and bigints.
 */
export function safeInt(value: unknown, what = 'amount'): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'bigint' || typeof value === 'string'
        ? Number(value)
        : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new UnsafeIntegerError(`${what} ${String(value)} is not a safe integer`);
  return n;
}
