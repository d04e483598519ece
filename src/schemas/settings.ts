/** Tenant settings: the lock date and the accounts the system posts to. */
import { z } from '@hono/zod-openapi';
import { IsoDate, nonEmpty, Ref } from './common';

const keys = ['receivable', 'revenue', 'taxPayable', 'cash', 'unappliedPayments'] as const;

/** `PATCH /v1/settings`: move the lock date (null unlocks) and/or remap default accounts. */
export const SettingsUpdateBody = z
  .strictObject({
    lockDate: IsoDate.nullable()
      .optional()
      .openapi({ description: 'Nothing dated on or before it can be posted' }),
    accounts: z
      .strictObject(
        Object.fromEntries(keys.map((k) => [k, Ref.optional()])) as Record<
          (typeof keys)[number],
          z.ZodOptional<typeof Ref>
        >,
      )
      .optional(),
  })
  .refine(...nonEmpty)
  .openapi('SettingsUpdate', { minProperties: 1 });

/** The tenant's settings. */
export const Settings = z
  .object({
    lockDate: z.string().nullable(),
    accounts: z.object(
      Object.fromEntries(keys.map((k) => [k, z.string()])) as Record<
        (typeof keys)[number],
        z.ZodString
      >,
    ),
  })
  .openapi('Settings');
