-- Every lock at once and first, in the order the projection takes them (invoices, then
-- payment_allocations), as in 0006/0008: lifting FORCE below takes ACCESS EXCLUSIVE on both
-- tables. Reads and writes of them wait until the migration commits (docs/runbook.md).
LOCK TABLE "invoices", "payment_allocations" IN ACCESS EXCLUSIVE MODE;
--> statement-breakpoint
-- Each allocation carries its invoice's customer, currency, due date and issue date (fixed
-- once the invoice is issued; only issued invoices are paid), written by the projection with
-- the allocation. AR aging as of a past date adds back the payments applied after that date
-- per customer and due date from the allocations alone, instead of one invoice lookup each
-- (src/read/queries/ar-aging-sql.ts). Expand only (docs/deploy.md §7): the columns stay
-- nullable, since a release before this one still writes allocations without them while a
-- rollout is split; the aging looks those rows' invoices up.
ALTER TABLE "payment_allocations" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "payment_allocations" ADD COLUMN "currency" text;--> statement-breakpoint
ALTER TABLE "payment_allocations" ADD COLUMN "due_date" date;--> statement-breakpoint
ALTER TABLE "payment_allocations" ADD COLUMN "invoice_issue_date" date;--> statement-breakpoint
-- Rows that exist already, read and written unforced as in 0006 (a migrating role without
-- BYPASSRLS would otherwise see none and fill nothing, silently); FORCE comes back below.
ALTER TABLE "payment_allocations" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoices" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
UPDATE "payment_allocations" a
SET "customer_id" = i."customer_id", "currency" = i."currency", "due_date" = i."due_date",
  "invoice_issue_date" = i."issue_date"
FROM "invoices" i
WHERE i."tenant_id" = a."tenant_id" AND i."id" = a."invoice_id";--> statement-breakpoint
ALTER TABLE "payment_allocations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoices" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- AR aging as of a past date takes back the issued invoices voided after it: read them by
-- void date (0006's index finds the open ones by issue date).
CREATE INDEX "invoices_voided_on_idx" ON "invoices" USING btree ("tenant_id", "voided_on")
  INCLUDE ("currency", "customer_id", "due_date", "issue_date", "total", "paid_amount")
  WHERE "status" = 'void' AND "journal_id" IS NOT NULL;
--> statement-breakpoint
-- The allocations written without those columns (by a release before this one, during its
-- rollout), by date: the aging looks their invoices up. Nothing fills them later: a contract
-- step that makes the columns NOT NULL must run this backfill again first.
CREATE INDEX "payment_allocations_no_invoice_idx" ON "payment_allocations" USING btree ("tenant_id", "date")
  WHERE "invoice_issue_date" IS NULL;
