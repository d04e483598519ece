/**
 * Domain refusals. A decision either yields events or one `DomainError`; the HTTP layer maps
 * `kind` to a status (invalid → 422, not_found → 404, conflict → 409) and `code` to the
 * stable machine code of the problem document. Messages are written for API clients.
 */

/** Which class of refusal this is. */
export type ErrorKind = 'invalid' | 'not_found' | 'conflict';

/** One problem with a field of the request body; `path` is dotted (`lines.2.accountId`). */
export interface FieldError {
  path: string;
  message: string;
}

/** Why a command was refused. */
export interface DomainError {
  kind: ErrorKind;
  code: string;
  message: string;
  errors?: FieldError[];
}

/** Either a value or the refusal that prevented it. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

/** Builds a `DomainError`; `errors` is left out when empty so the JSON stays minimal. */
export function fail(
  kind: ErrorKind,
  code: string,
  message: string,
  errors?: FieldError[],
): DomainError {
  return errors !== undefined && errors.length > 0
    ? { kind, code, message, errors }
    : { kind, code, message };
}

/**
 * Carries a refusal out of deeply nested checks. It never escapes the domain: `decide`
 * catches it and returns `{ ok: false, error }`, so callers only ever see plain results.
 */
export class DomainFailure extends Error {
  readonly error: DomainError;

  constructor(error: DomainError) {
    super(error.message);
    this.name = 'DomainFailure';
    this.error = error;
  }
}

/** Throws a `DomainFailure` built like `fail(...)`. */
export function refuse(
  kind: ErrorKind,
  code: string,
  message: string,
  errors?: FieldError[],
): never {
  throw new DomainFailure(fail(kind, code, message, errors));
}

/** Refuses one body field (`invalid`, with a single `{ path, message }`). */
export function refuseField(code: string, path: string, message: string): never {
  return refuse('invalid', code, `${path}: ${message}`, [{ path, message }]);
}
