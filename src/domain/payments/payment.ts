/** Payment aggregate state and its evolution. */
import type { EventsFor, PaymentMethod } from '../events';

/** One application of the payment to an invoice, with the entry that posted it. */
export interface PaymentAllocation {
  invoiceId: string;
  amount: number;
  date: string;
  journalId: string;
}

/**
 * A customer payment. The unallocated remainder is customer credit held on the
 * unapplied-payments liability account recorded here, until `payment.allocate` applies it.
 */
export interface PaymentState {
  kind: 'payment';
  id: string;
  customerId: string;
  amount: number;
  currency: string;
  date: string;
  method: PaymentMethod;
  reference: string | null;
  journalId: string;
  cashAccountId: string;
  unappliedAccountId: string;
  allocations: PaymentAllocation[];
  allocatedAmount: number;
  unallocatedAmount: number;
}

/** Applies one `payment.*` event. Throws when the event does not fit. */
export function evolvePayment(
  state: PaymentState | undefined,
  event: EventsFor<'payment'>,
): PaymentState {
  if (event.type === 'payment.recorded') {
    if (state !== undefined) throw new Error('payment.recorded on an existing stream');
    const d = event.data;
    return {
      kind: 'payment',
      id: d.id,
      customerId: d.customerId,
      amount: d.amount,
      currency: d.currency,
      date: d.date,
      method: d.method,
      reference: d.reference,
      journalId: d.journalId,
      cashAccountId: d.cashAccountId,
      unappliedAccountId: d.unappliedAccountId,
      allocations: d.allocations.map((a) => ({ ...a, date: d.date, journalId: d.journalId })),
      allocatedAmount: d.allocatedAmount,
      unallocatedAmount: d.unallocatedAmount,
    };
  }
  if (state === undefined) throw new Error('payment.allocated before payment.recorded');
  const { date, journalId, allocations, allocatedAmount, unallocatedAmount } = event.data;
  return {
    ...state,
    allocations: [...state.allocations, ...allocations.map((a) => ({ ...a, date, journalId }))],
    allocatedAmount,
    unallocatedAmount,
  };
}
