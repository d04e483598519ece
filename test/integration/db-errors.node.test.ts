/**
 * describeDbError (src/read/db-errors.ts): what the logs say about a failure around Postgres.
 * The kind of failure and the SQLSTATE, never the statement or its parameters, which drizzle
 * puts in its error message.
 */
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { NoBuildSlotError } from '../../src/cache/build-slots';
import { describeDbError } from '../../src/read/db-errors';
import { TimeoutError } from '../../src/timeout';

const pgError = (message: string, fields: Record<string, string>) =>
  Object.assign(new Error(message), fields);

describe('describeDbError', () => {
  it('a failed query: its SQLSTATE and constraint, never the statement, its parameters or the server message', () => {
    const err = new DrizzleQueryError(
      'select * from customers where name = $1',
      ['Secret Customer GmbH'],
      pgError(
        'duplicate key value violates unique constraint "customers_pkey": Key (id)=(cus_secret)',
        { code: '23505', constraint: 'customers_pkey' },
      ),
    );
    const said = describeDbError(err);
    expect(said).toBe('Error sqlstate=23505 constraint=customers_pkey');
    expect(said).not.toMatch(/select|Secret|cus_secret/);
  });

  it('a driver failure without SQLSTATE: only its kind', () => {
    expect(
      describeDbError(
        new DrizzleQueryError(
          'begin read only',
          [],
          new Error('Connection terminated due to connection timeout'),
        ),
      ),
    ).toBe('Error (timeout)');
    expect(describeDbError(new Error('Connection terminated unexpectedly'))).toBe(
      'Error (connection)',
    );
    expect(describeDbError(new Error('something about tenant acme'))).toBe('Error');
  });

  it("the kind comes from the driver's error, never from the statement drizzle quotes", () => {
    const settings = "select set_config('idle_in_transaction_session_timeout', '30s', true)";
    expect(
      describeDbError(
        new DrizzleQueryError(settings, [], new Error('Connection terminated unexpectedly')),
      ),
    ).toBe('Error (connection)');
    expect(
      describeDbError(
        new DrizzleQueryError(
          'select * from customers where memo = $1',
          ['socket closed'],
          new Error('syntax error'),
        ),
      ),
    ).toBe('Error');
  });

  it('a Postgres error that drizzle did not wrap keeps its SQLSTATE', () => {
    expect(describeDbError(pgError('too many connections for role "app"', { code: '53300' }))).toBe(
      'Error sqlstate=53300',
    );
  });

  it('our own errors keep their message; anything else is unknown', () => {
    expect(describeDbError(new NoBuildSlotError())).toBe('NoBuildSlotError: no build slot free');
    expect(describeDbError(new TimeoutError('connect timed out after 2000 ms'))).toBe(
      'TimeoutError: connect timed out after 2000 ms',
    );
    expect(describeDbError('a string')).toBe('unknown error');
  });
});
