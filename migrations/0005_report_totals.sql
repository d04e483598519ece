-- Report support that drizzle-kit cannot express.
--
-- 1. account_month_totals (table from 0003): debit/credit per account, currency and month,
--    kept by statement-level triggers on journal_lines (transition tables: one aggregated
--    upsert per statement, whatever the number of lines; the projection's single-statement
--    flush fires each once). Deletes subtract (a tenant rebuild empties it with its lines).
--    The trial balance as of D = months before D's month + D's month's lines up to D, so
--    it reads at most one month of lines for any date. Row-level security as in 0002;
--    the trigger runs as the invoker (finance_app inside tenant transactions).
-- 2. invoices_open_items_idx: a partial covering index over open invoices only (issued or
--    partially paid), so AR aging and the dashboard read them with index-only scans.
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "account_month_totals" TO finance_app;
--> statement-breakpoint
ALTER TABLE "account_month_totals" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "account_month_totals" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "account_month_totals" TO finance_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
-- TG_ARGV[0]: 1 adds the statement's rows (inserted, or new versions), -1 subtracts them.
CREATE FUNCTION account_month_totals_sync() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
DECLARE
  sign integer := TG_ARGV[0]::integer;
BEGIN
  INSERT INTO account_month_totals AS t (tenant_id, account_id, currency, month, debit_total, credit_total)
  SELECT c.tenant_id, c.account_id, c.currency, date_trunc('month', c.date)::date, sign * sum(c.debit), sign * sum(c.credit)
  FROM changed c GROUP BY 1, 2, 3, 4
  ON CONFLICT (tenant_id, account_id, currency, month) DO UPDATE
    SET debit_total = t.debit_total + excluded.debit_total, credit_total = t.credit_total + excluded.credit_total;
  IF sign < 0 THEN
    DELETE FROM account_month_totals t
    USING (SELECT DISTINCT c.tenant_id, c.account_id, c.currency, date_trunc('month', c.date)::date AS month FROM changed c) k
    WHERE t.tenant_id = k.tenant_id AND t.account_id = k.account_id AND t.currency = k.currency AND t.month = k.month
      AND t.debit_total = 0 AND t.credit_total = 0;
  END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER journal_lines_month_insert AFTER INSERT ON "journal_lines"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION account_month_totals_sync('1');
--> statement-breakpoint
CREATE TRIGGER journal_lines_month_update_new AFTER UPDATE ON "journal_lines"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION account_month_totals_sync('1');
--> statement-breakpoint
CREATE TRIGGER journal_lines_month_update_old AFTER UPDATE ON "journal_lines"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION account_month_totals_sync('-1');
--> statement-breakpoint
CREATE TRIGGER journal_lines_month_delete AFTER DELETE ON "journal_lines"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION account_month_totals_sync('-1');
--> statement-breakpoint
-- Lines that exist already (a role that bypasses row-level security, as migrations run, sees them all).
INSERT INTO account_month_totals (tenant_id, account_id, currency, month, debit_total, credit_total)
SELECT tenant_id, account_id, currency, date_trunc('month', date)::date, sum(debit), sum(credit)
FROM journal_lines GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
CREATE INDEX "invoices_open_items_idx" ON "invoices" USING btree ("tenant_id", "due_date")
  INCLUDE ("id", "currency", "customer_id", "issue_date", "balance_due")
  WHERE "status" IN ('issued', 'partially_paid');
