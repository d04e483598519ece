/** Account request bodies and the account resource. */
import { z } from '@hono/zod-openapi';
import { ACCOUNT_TYPES, type AccountType } from '../domain/events';
import { nonEmpty, optText, Ref, text } from './common';

const AccountType = z.enum(ACCOUNT_TYPES as readonly [AccountType, ...AccountType[]], {
  error: `must be one of ${ACCOUNT_TYPES.join(', ')}`,
});

/** `POST /v1/accounts`. */
export const AccountCreateBody = z
  .strictObject({
    code: text(20).openapi({ example: '4100' }),
    name: text(200).openapi({ example: 'Consulting revenue' }),
    type: AccountType,
    parentId: Ref.nullable().optional(),
    description: optText(200),
  })
  .openapi('AccountCreate');

/** `PATCH /v1/accounts/{id}`: the type is fixed once postings may depend on it. */
export const AccountUpdateBody = z
  .strictObject({
    code: text(20).optional(),
    name: text(200).optional(),
    parentId: Ref.nullable().optional(),
    description: optText(200),
  })
  .refine(...nonEmpty)
  .openapi('AccountUpdate', { minProperties: 1 });

/** An account of the chart. */
export const Account = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    type: AccountType,
    parentId: z.string().nullable(),
    description: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi('Account');
