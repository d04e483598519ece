-- The (tenant_id, name) indexes of 0001 serve no query: the party lists order and filter by
-- name_key (0004_search), and nothing filters or orders by name. They only cost the
-- projection's writes. Checked by the plan suite (test/integration/queries-plans.db.test.ts),
-- which finds every list, search and report on indexes without them.
DROP INDEX "customers_tenant_name_idx";--> statement-breakpoint
DROP INDEX "vendors_tenant_name_idx";
