/** Customer and vendor request bodies and the party resource (both share one shape). */
import { z } from '@hono/zod-openapi';
import { Currency, nonEmpty, optText, text } from './common';

const Email = z
  .string({ error: 'must be an e-mail address' })
  .max(254, 'must be at most 254 characters')
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address')
  .openapi({ format: 'email', example: 'billing@acme.example' });

const fields = {
  name: text(200).openapi({ example: 'Acme Ltd' }),
  email: Email.nullable().optional(),
  taxId: optText(50),
  defaultCurrency: Currency.nullable().optional(),
};

/** `POST /v1/customers` and `POST /v1/vendors`. */
export const PartyCreateBody = z.strictObject(fields).openapi('PartyCreate');

/** `PATCH /v1/customers/{id}` and `PATCH /v1/vendors/{id}`; `null` clears an optional field. */
export const PartyUpdateBody = z
  .strictObject({ ...fields, name: fields.name.optional() })
  .refine(...nonEmpty)
  .openapi('PartyUpdate', { minProperties: 1 });

/** A customer or vendor. */
export const Party = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    taxId: z.string().nullable(),
    defaultCurrency: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi('Party');
