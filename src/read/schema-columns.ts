/** Column helpers shared by the read-model schema files (conventions in schema.ts). */
import { bigint, date, integer, text, timestamp } from 'drizzle-orm/pg-core';

/** Integer minor units, read as a JS number. */
export const money = (name: string) => bigint(name, { mode: 'number' }).notNull();
/** An accounting date, read as 'YYYY-MM-DD'. */
export const day = (name: string) => date(name, { mode: 'string' });
/** An instant from the event envelope. */
export const instant = (name: string) => timestamp(name, { withTimezone: true });
/** The owning tenant: the first column of every primary key. */
export const tenant = () => text('tenant_id').notNull();
/** Stream version, event position and change times shared by entity tables. */
export const tracking = () => ({
  version: integer('version').notNull(),
  createdAt: instant('created_at').notNull(),
  updatedAt: instant('updated_at').notNull(),
  lastPosition: bigint('last_position', { mode: 'number' }).notNull(),
});
