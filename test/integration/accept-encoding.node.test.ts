/**
 * `pickEncoding` (src/middleware/compression.ts) remembers its answer per `Accept-Encoding`
 * value in the isolate: remembered answers are the parsed ones, also once the memo has been
 * emptied for being full, and for headers too long to be remembered.
 */
import { describe, expect, it } from 'vitest';
import { pickEncoding } from '../../src/middleware/compression';

const CASES: [string | undefined, 'gzip' | null][] = [
  [undefined, null],
  ['', null],
  ['gzip', 'gzip'],
  ['br, gzip', 'gzip'],
  ['gzip;q=0', null],
  ['identity', null],
  ['*;q=0.5', 'gzip'],
  ['GZIP', 'gzip'],
  ['deflate', null],
];

describe('pickEncoding, remembered per header value', () => {
  it('answers the same the first time and every time after', () => {
    for (let round = 0; round < 3; round++)
      for (const [accept, expected] of CASES)
        expect(pickEncoding(accept), `${accept}`).toBe(expected);
  });

  it('stays right past the memo bound and for very long headers', () => {
    for (let i = 0; i < 600; i++) {
      expect(pickEncoding(`x-enc-${i}, gzip;q=${i % 2}`)).toBe(i % 2 ? 'gzip' : null);
      expect(pickEncoding(`x-enc-${i}`)).toBe(null);
    }
    for (const [accept, expected] of CASES) expect(pickEncoding(accept)).toBe(expected);
    const long = `${'x-long, '.repeat(100)}gzip;q=0`;
    expect(pickEncoding(long)).toBe(null);
    expect(pickEncoding(long)).toBe(null);
  });
});
