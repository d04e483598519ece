/**
 * Limits on a parsed JSON body, checked before any schema sees it:
 * - nesting deeper than MAX_JSON_DEPTH: 400 `body_too_deep`;
 * - the keys `__proto__`, `constructor` and `prototype` at any depth: 400 `forbidden_key` (no
 *   request schema uses them; they are how prototype pollution reaches code that merges objects);
 * - strings (values or keys) holding control characters other than tab, LF and CR (C0, DEL
 *   and the C1 range U+0080–U+009F), or lone UTF-16 surrogates: 400 `invalid_characters`. They are never legitimate text, Postgres text
 *   cannot store NUL (one such event would stall the tenant's projection), and they are the
 *   stuff of log and terminal injection. Any other Unicode (RTL marks, emoji, combining
 *   characters, zero-width spaces) is text and is stored as sent.
 */
import { AppError } from '../errors';

/** Deepest accepted nesting of objects and arrays (the deepest real request is about 4). */
export const MAX_JSON_DEPTH = 32;
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);
const INVALID_TEXT =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalidText(path: string): AppError {
  return new AppError({
    status: 400,
    code: 'invalid_characters',
    title: 'Bad request',
    detail:
      'Text may not contain control characters (other than tab and line breaks) or unpaired surrogates.',
    errors: [{ path, message: 'contains characters that are not allowed' }],
  });
}

/** Throws the 400 problem for the first violation found, or returns. Never recurses past the limit. */
export function checkJsonShape(value: unknown): void {
  const stack: Array<[unknown, number, string]> = [[value, 1, '']];
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop() as [unknown, number, string];
    if (typeof node === 'string' && INVALID_TEXT.test(node)) throw invalidText(path);
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) {
      throw new AppError({
        status: 400,
        code: 'body_too_deep',
        title: 'Bad request',
        detail: `JSON bodies may nest objects and arrays at most ${MAX_JSON_DEPTH} levels deep.`,
      });
    }
    for (const key of Object.keys(node)) {
      const at = path ? `${path}.${key}` : key;
      if (INVALID_TEXT.test(key)) throw invalidText(path);
      if (!Array.isArray(node) && FORBIDDEN_KEYS.has(key)) {
        throw new AppError({
          status: 400,
          code: 'forbidden_key',
          title: 'Bad request',
          detail: `The key "${key}" is not allowed in a request body.`,
          errors: [{ path: at, message: 'is not allowed' }],
        });
      }
      stack.push([(node as Record<string, unknown>)[key], depth + 1, at]);
    }
  }
}
