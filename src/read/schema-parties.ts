/** Customers and vendors (same columns; conventions in schema.ts). */
import { boolean, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenant, tracking } from './schema-columns';

const partyColumns = () => ({
  tenantId: tenant(),
  id: text('id').notNull(),
  name: text('name').notNull(),
  email: text('email'),
  taxId: text('tax_id'),
  defaultCurrency: text('default_currency'),
  active: boolean('active').notNull(),
  ...tracking(),
});

/*
 * Customers and vendors also have columns that only SQL reads, added by the custom
 * migration `search` (drizzle-kit cannot express them; kept out of the row types so the
 * projection never carries them): `name_key` (lower(name), collation "C"; list order and
 * name-prefix filter) and `search_tsv` (full-text search), like `search_tsv` on invoices
 * (memo) and invoice_lines (description). All are GENERATED ALWAYS ... STORED. Their
 * indexes (`*_tenant_name_key_idx`, `*_search_idx`) are in that migration too; the
 * `(tenant_id, name)` indexes of 0001 served no query and were dropped by 0007.
 */
export const customers = pgTable('customers', partyColumns(), (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
]);

export const vendors = pgTable('vendors', partyColumns(), (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
]);
