/** Payment request bodies and the payment resource. */
import { z } from '@hono/zod-openapi';
import { PAYMENT_METHODS, type PaymentMethod } from '../domain/events';
import { Currency, IsoDate, Money, optText, Ref } from './common';

const Allocation = z.strictObject({ invoiceId: Ref, amount: Money });
const Allocations = z
  .array(Allocation, { error: 'must be a list' })
  .max(200, 'must have at most 200 items');

/** `POST /v1/payments`: what is not allocated is held as customer credit. */
export const PaymentRecordBody = z
  .strictObject({
    customerId: Ref,
    amount: Money,
    currency: Currency,
    date: IsoDate,
    method: z.enum(PAYMENT_METHODS as readonly [PaymentMethod, ...PaymentMethod[]], {
      error: `must be one of ${PAYMENT_METHODS.join(', ')}`,
    }),
    reference: optText(200),
    allocations: Allocations.optional(),
  })
  .openapi('PaymentRecord');

/** `POST /v1/payments/{id}/allocations`: applies part of the unallocated remainder. */
export const PaymentAllocateBody = z
  .strictObject({
    date: IsoDate.optional(),
    allocations: Allocations.min(1, 'must have at least 1 item'),
  })
  .openapi('PaymentAllocate');

/** A customer payment and where it went. */
export const Payment = z
  .object({
    id: z.string(),
    customerId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    date: z.string(),
    method: z.enum(PAYMENT_METHODS as readonly [PaymentMethod, ...PaymentMethod[]]),
    reference: z.string().nullable(),
    journalId: z.string(),
    allocations: z.array(
      z.object({
        invoiceId: z.string(),
        amount: z.number().int(),
        date: z.string(),
        journalId: z.string(),
      }),
    ),
    allocatedAmount: z.number().int(),
    unallocatedAmount: z.number().int(),
  })
  .openapi('Payment');
