/** `/v1/accounts`: the chart of accounts. */
import { describe, expect, it } from 'vitest';
import { openBooks } from '../fixtures/books';
import { call, expectJson, expectProblem, get, patch, post } from '../fixtures/http';

describe('accounts', () => {
  it('create → 201 with Location, ETag and the account; GET answers the same', async () => {
    const { t } = await openBooks();
    const res = await post(t, '/v1/accounts', {
      code: '4900',
      name: 'Other revenue',
      type: 'revenue',
      description: 'Misc',
    });
    const account = await expectJson(res, 201);
    expect(account).toMatchObject({
      code: '4900',
      name: 'Other revenue',
      type: 'revenue',
      parentId: null,
      description: 'Misc',
      active: true,
    });
    expect(account.id).toMatch(/^acc_/);
    expect(res.headers.get('Location')).toBe(`/v1/accounts/${account.id}`);
    expect(res.headers.get('ETag')).toBe('"1"');
    expect(Number(res.headers.get('X-Ledger-Position'))).toBeGreaterThan(0);
    const read = await get(t, `/v1/accounts/${account.id}`);
    expect(await expectJson(read, 200)).toEqual(account);
    expect(read.headers.get('ETag')).toBe('"1"');
    expect(read.headers.get('X-Ledger-Position')).toBe(res.headers.get('X-Ledger-Position'));
  });

  it('sub-accounts, update (PATCH) and deactivate', async () => {
    const { t } = await openBooks();
    const parent = await expectJson(
      await post(t, '/v1/accounts', { code: '6500', name: 'Travel', type: 'expense' }),
      201,
    );
    const child = await expectJson(
      await post(t, '/v1/accounts', {
        code: '6510',
        name: 'Flights',
        type: 'expense',
        parentId: parent.id,
      }),
      201,
    );
    expect(child.parentId).toBe(parent.id);
    const renamed = await patch(
      t,
      `/v1/accounts/${child.id}`,
      { name: 'Air travel', description: null },
      '"1"',
    );
    expect(await expectJson(renamed, 200)).toMatchObject({
      name: 'Air travel',
      code: '6510',
      description: null,
    });
    expect(renamed.headers.get('ETag')).toBe('"2"');
    const gone = await post(t, `/v1/accounts/${child.id}/deactivate`, undefined, {
      'If-Match': '"2"',
    });
    expect(await expectJson(gone, 200)).toMatchObject({ id: child.id, active: false });
  });

  it('domain refusals: duplicate code 409, parent of another type 422, already inactive 409', async () => {
    const { t, accounts } = await openBooks();
    const dup = await expectProblem(
      await post(t, '/v1/accounts', { code: '1000', name: 'Dup', type: 'asset' }),
      409,
      'account_code_taken',
    );
    expect(dup.errors).toEqual([{ path: 'code', message: 'is already used by another account' }]);
    await expectProblem(
      await post(t, '/v1/accounts', {
        code: '1999',
        name: 'X',
        type: 'asset',
        parentId: accounts.revenue,
      }),
      422,
      'parent_type_mismatch',
    );
    const a = await expectJson(
      await post(t, '/v1/accounts', { code: '7100', name: 'Old', type: 'expense' }),
      201,
    );
    await expectJson(await post(t, `/v1/accounts/${a.id}/deactivate`), 200);
    await expectProblem(
      await post(t, `/v1/accounts/${a.id}/deactivate`),
      409,
      'account_already_inactive',
    );
  });

  it('validation: missing fields, wrong types, unknown keys, bad enum → 400 with field paths', async () => {
    const { t } = await openBooks();
    const cases: Array<[unknown, Array<{ path: string; message: string }>]> = [
      [
        {},
        [
          { path: 'code', message: 'is required' },
          { path: 'name', message: 'is required' },
          { path: 'type', message: expect.stringContaining('asset') },
        ],
      ],
      [{ code: 4900, name: 'X', type: 'revenue' }, [{ path: 'code', message: 'must be a string' }]],
      [
        { code: '4900', name: '', type: 'revenue' },
        [{ path: 'name', message: 'must not be empty' }],
      ],
      [
        { code: '4900', name: 'X', type: 'income' },
        [{ path: 'type', message: 'must be one of asset, liability, equity, revenue, expense' }],
      ],
      [
        { code: '4900', name: 'X', type: 'revenue', color: 'red' },
        [{ path: 'color', message: 'is not a known field' }],
      ],
      [
        { code: 'x'.repeat(21), name: 'X', type: 'revenue' },
        [{ path: 'code', message: 'must be at most 20 characters' }],
      ],
    ];
    for (const [body, errors] of cases) {
      const problem = await expectProblem(
        await post(t, '/v1/accounts', body),
        400,
        'validation_failed',
      );
      expect(problem.errors, JSON.stringify(body)).toEqual(errors);
    }
    const a = await expectJson(
      await post(t, '/v1/accounts', { code: '7200', name: 'Y', type: 'expense' }),
      201,
    );
    const typeChange = await expectProblem(
      await patch(t, `/v1/accounts/${a.id}`, { type: 'asset' }),
      400,
      'validation_failed',
    );
    expect(typeChange.errors).toEqual([{ path: 'type', message: 'is not a known field' }]);
    const empty = await expectProblem(
      await patch(t, `/v1/accounts/${a.id}`, {}),
      400,
      'validation_failed',
    );
    expect(empty.errors).toEqual([{ path: '', message: 'must change at least one field' }]);
  });

  it('unknown ids: 404 account_not_found on read, update and deactivate', async () => {
    const { t } = await openBooks();
    await expectProblem(await get(t, '/v1/accounts/acc_nope'), 404, 'account_not_found');
    await expectProblem(
      await patch(t, '/v1/accounts/acc_nope', { name: 'x' }),
      404,
      'account_not_found',
    );
    await expectProblem(
      await post(t, '/v1/accounts/acc_nope/deactivate'),
      404,
      'account_not_found',
    );
    await expectProblem(await call('/v1/accounts/acc_nope'), 401, 'unauthorized');
  });
});
