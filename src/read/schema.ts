/**
 * Read-model schema (drizzle). Every row carries `tenant_id`. drizzle-kit turns this file
 * into SQL migrations under migrations/ (`npm run db:generate`).
 */
import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** How far the projection has applied each tenant's event log. */
export const projectionCheckpoints = pgTable('projection_checkpoints', {
  tenantId: text('tenant_id').primaryKey(),
  position: bigint('position', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
