/**
 * Every problem `code` the API answers, with its one HTTP status. The ledger's refusals
 * (src/ledger/refusals.ts) take their status from here, the OpenAPI document lists the codes
 * per status (src/schemas/problem.ts) and docs/api.md carries the same table
 * (test/integration/problem-codes.node.test.ts keeps the three in step).
 *
 * Conventions: `*_not_found` is a 404 for an id in the URL; an id in the body that names
 * nothing is `*_reference_invalid` (422); `*_already_inactive` is a 409 (the resource's state);
 * a body that refers to something inactive is `*_inactive` (422).
 */

/** Statuses a problem can carry. */
export type ProblemStatus =
  400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 426 | 429 | 500 | 503 | 504;

const codes = <S extends ProblemStatus>(status: S, list: readonly string[]) =>
  Object.fromEntries(list.map((code) => [code, status])) as Record<string, S>;

/** code → status. */
export const PROBLEM_STATUS: Readonly<Record<string, ProblemStatus>> = {
  ...codes(400, [
    'validation_failed',
    'malformed_json',
    'body_too_deep',
    'forbidden_key',
    'invalid_characters',
    'idempotency_key_required',
    'invalid_idempotency_key',
    'invalid_if_match',
    'invalid_cursor',
    'invalid_min_position',
    'invalid_consistency',
    'invalid_query',
    'invalid_after',
    'unsupported_subprotocol',
    'origin_required',
  ]),
  ...codes(401, ['unauthorized']),
  ...codes(403, ['forbidden', 'cors_origin_not_allowed', 'csrf_rejected']),
  ...codes(404, [
    'not_found',
    'account_not_found',
    'journal_not_found',
    'invoice_not_found',
    'payment_not_found',
    'customer_not_found',
    'vendor_not_found',
    'settings_not_found',
    'tenant_not_found',
  ]),
  ...codes(409, [
    'idempotency_key_in_flight',
    'tenant_not_initialized',
    'account_already_inactive',
    'customer_already_inactive',
    'vendor_already_inactive',
    'account_code_taken',
    'account_in_use',
    'account_has_active_children',
    'invoice_not_draft',
    'invoice_void',
    'invoice_has_payments',
    'journal_system_entry',
    'journal_is_reversal',
    'journal_already_reversed',
    'projection_busy',
  ]),
  ...codes(412, ['version_mismatch']),
  ...codes(413, ['payload_too_large']),
  ...codes(415, ['unsupported_media_type']),
  ...codes(422, [
    'idempotency_key_reused',
    'unknown_command',
    'account_reference_invalid',
    'customer_reference_invalid',
    'invoice_reference_invalid',
    'parent_reference_invalid',
    'account_inactive',
    'customer_inactive',
    'parent_inactive',
    'account_type_mismatch',
    'parent_type_mismatch',
    'account_cycle',
    'amount_not_integer',
    'amount_too_large',
    'amount_not_positive',
    'amount_negative',
    'invalid_currency',
    'invalid_date',
    'currency_mismatch',
    'period_locked',
    'journal_unbalanced',
    'date_before_original',
    'due_date_before_issue_date',
    'invoice_zero_total',
    'invoice_not_open',
    'invoice_customer_mismatch',
    'allocation_exceeds_payment',
    'allocation_exceeds_balance',
    'allocation_duplicate_invoice',
  ]),
  ...codes(426, ['upgrade_required']),
  ...codes(429, ['rate_limited', 'stream_connection_limit']),
  ...codes(500, ['internal_error']),
  ...codes(503, ['read_model_unavailable', 'read_model_behind', 'read_model_stale']),
  ...codes(504, ['timeout']),
};

/** The codes of one status, sorted (for the OpenAPI descriptions and the docs table). */
export function codesOf(status: ProblemStatus): string[] {
  return Object.keys(PROBLEM_STATUS)
    .filter((code) => PROBLEM_STATUS[code] === status)
    .sort();
}

/** Every code, sorted (the `code` enum of the Problem schema). */
export const ALL_PROBLEM_CODES: readonly string[] = Object.keys(PROBLEM_STATUS).sort();
