-- Every lock this migration needs, at once and first: lifting FORCE below takes ACCESS
-- EXCLUSIVE on invoices and journal_lines, and taking those one by one mid-way could deadlock
-- with a projection transaction that holds one and waits for the other. Reads and writes of
-- these tables wait until the migration commits (docs/runbook.md).
LOCK TABLE "invoices", "journal_lines", "account_month_totals" IN ACCESS EXCLUSIVE MODE;
--> statement-breakpoint
CREATE TABLE "ar_open_days" (
	"tenant_id" text NOT NULL,
	"currency" text NOT NULL,
	"customer_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"invoices" integer NOT NULL,
	"due_date" date NOT NULL,
	CONSTRAINT "ar_open_days_tenant_id_due_date_currency_customer_id_pk" PRIMARY KEY("tenant_id","due_date","currency","customer_id")
);
--> statement-breakpoint
CREATE TABLE "ar_open_months" (
	"tenant_id" text NOT NULL,
	"currency" text NOT NULL,
	"customer_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"invoices" integer NOT NULL,
	"month" date NOT NULL,
	CONSTRAINT "ar_open_months_tenant_id_month_currency_customer_id_pk" PRIMARY KEY("tenant_id","month","currency","customer_id")
);
--> statement-breakpoint
-- Open receivables kept by statement-level triggers on invoices, as account_month_totals is
-- on journal_lines (0005): the rows of an invoice statement that are open (issued or
-- partially paid) add their balance_due to their due day and due month, and subtract it
-- again when they change or go; a row whose invoice count reaches 0 is deleted. Inserts and
-- deletes use ar_open_totals_sync, updates ar_open_totals_update (which nets old and new).
-- AR aging and the dashboard read these instead of every open invoice (see
-- src/read/schema-totals.ts). Row-level security as in 0002; the triggers run as the invoker
-- (finance_app). Writes to one tenant's invoices are serialized by its checkpoint lock
-- (src/read/projection.ts), so two statements never update the same totals row at once.
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "ar_open_days", "ar_open_months" TO finance_app;
--> statement-breakpoint
ALTER TABLE "ar_open_days" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "ar_open_days" TO finance_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE "ar_open_months" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "ar_open_months" TO finance_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
-- TG_ARGV[0]: 1 adds the statement's rows (inserted), -1 subtracts them (deleted).
CREATE FUNCTION ar_open_totals_sync() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
DECLARE
  sign integer := TG_ARGV[0]::integer;
BEGIN
  INSERT INTO ar_open_days AS t (tenant_id, due_date, currency, customer_id, amount, invoices)
  SELECT c.tenant_id, c.due_date, c.currency, c.customer_id, sign * sum(c.balance_due), sign * count(*)
  FROM changed c WHERE c.status IN ('issued', 'partially_paid') GROUP BY 1, 2, 3, 4
  ON CONFLICT (tenant_id, due_date, currency, customer_id) DO UPDATE
    SET amount = t.amount + excluded.amount, invoices = t.invoices + excluded.invoices;
  INSERT INTO ar_open_months AS t (tenant_id, month, currency, customer_id, amount, invoices)
  SELECT c.tenant_id, date_trunc('month', c.due_date::timestamp)::date, c.currency, c.customer_id, sign * sum(c.balance_due), sign * count(*)
  FROM changed c WHERE c.status IN ('issued', 'partially_paid') GROUP BY 1, 2, 3, 4
  ON CONFLICT (tenant_id, month, currency, customer_id) DO UPDATE
    SET amount = t.amount + excluded.amount, invoices = t.invoices + excluded.invoices;
  IF sign < 0 THEN
    DELETE FROM ar_open_days t
    USING (SELECT DISTINCT c.tenant_id, c.due_date, c.currency, c.customer_id FROM changed c WHERE c.status IN ('issued', 'partially_paid')) k
    WHERE t.tenant_id = k.tenant_id AND t.due_date = k.due_date AND t.currency = k.currency AND t.customer_id = k.customer_id
      AND t.invoices = 0;
    DELETE FROM ar_open_months t
    USING (SELECT DISTINCT c.tenant_id, date_trunc('month', c.due_date::timestamp)::date AS month, c.currency, c.customer_id FROM changed c WHERE c.status IN ('issued', 'partially_paid')) k
    WHERE t.tenant_id = k.tenant_id AND t.month = k.month AND t.currency = k.currency AND t.customer_id = k.customer_id
      AND t.invoices = 0;
  END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER invoices_ar_open_insert AFTER INSERT ON "invoices"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ar_open_totals_sync('1');
--> statement-breakpoint
-- An UPDATE nets each key's change first: new open rows add, old open rows subtract, so an
-- update that leaves an invoice's status, balance, due date, currency and customer as they
-- were (the projection rewrites a whole invoice row per event) writes nothing here.
CREATE FUNCTION ar_open_totals_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
BEGIN
  WITH delta AS (
    SELECT n.tenant_id, n.due_date, n.currency, n.customer_id, n.balance_due AS amount, 1 AS invoices
    FROM new_rows n WHERE n.status IN ('issued', 'partially_paid')
    UNION ALL
    SELECT o.tenant_id, o.due_date, o.currency, o.customer_id, -o.balance_due, -1
    FROM old_rows o WHERE o.status IN ('issued', 'partially_paid')
  )
  INSERT INTO ar_open_days AS t (tenant_id, due_date, currency, customer_id, amount, invoices)
  SELECT d.tenant_id, d.due_date, d.currency, d.customer_id, sum(d.amount), sum(d.invoices)
  FROM delta d GROUP BY 1, 2, 3, 4 HAVING sum(d.amount) <> 0 OR sum(d.invoices) <> 0
  ON CONFLICT (tenant_id, due_date, currency, customer_id) DO UPDATE
    SET amount = t.amount + excluded.amount, invoices = t.invoices + excluded.invoices;
  WITH delta AS (
    SELECT n.tenant_id, date_trunc('month', n.due_date::timestamp)::date AS month, n.currency, n.customer_id, n.balance_due AS amount, 1 AS invoices
    FROM new_rows n WHERE n.status IN ('issued', 'partially_paid')
    UNION ALL
    SELECT o.tenant_id, date_trunc('month', o.due_date::timestamp)::date, o.currency, o.customer_id, -o.balance_due, -1
    FROM old_rows o WHERE o.status IN ('issued', 'partially_paid')
  )
  INSERT INTO ar_open_months AS t (tenant_id, month, currency, customer_id, amount, invoices)
  SELECT d.tenant_id, d.month, d.currency, d.customer_id, sum(d.amount), sum(d.invoices)
  FROM delta d GROUP BY 1, 2, 3, 4 HAVING sum(d.amount) <> 0 OR sum(d.invoices) <> 0
  ON CONFLICT (tenant_id, month, currency, customer_id) DO UPDATE
    SET amount = t.amount + excluded.amount, invoices = t.invoices + excluded.invoices;
  DELETE FROM ar_open_days t
  USING (SELECT DISTINCT o.tenant_id, o.due_date, o.currency, o.customer_id FROM old_rows o WHERE o.status IN ('issued', 'partially_paid')) k
  WHERE t.tenant_id = k.tenant_id AND t.due_date = k.due_date AND t.currency = k.currency AND t.customer_id = k.customer_id
    AND t.invoices = 0;
  DELETE FROM ar_open_months t
  USING (SELECT DISTINCT o.tenant_id, date_trunc('month', o.due_date::timestamp)::date AS month, o.currency, o.customer_id FROM old_rows o WHERE o.status IN ('issued', 'partially_paid')) k
  WHERE t.tenant_id = k.tenant_id AND t.month = k.month AND t.currency = k.currency AND t.customer_id = k.customer_id
    AND t.invoices = 0;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER invoices_ar_open_update AFTER UPDATE ON "invoices"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ar_open_totals_update();
--> statement-breakpoint
CREATE TRIGGER invoices_ar_open_delete AFTER DELETE ON "invoices"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ar_open_totals_sync('-1');
--> statement-breakpoint
-- Invoices that exist already. Row-level security is FORCEd on invoices (0002), so a
-- migrating role that owns the tables but is not a superuser (no BYPASSRLS) would see no
-- invoices and fill nothing, silently. Unforced for this transaction, the owner reads them
-- all; a role that does not own invoices fails here, loudly. FORCE comes back below, and
-- is set on the new tables once they are filled.
ALTER TABLE "invoices" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
INSERT INTO ar_open_days (tenant_id, due_date, currency, customer_id, amount, invoices)
SELECT tenant_id, due_date, currency, customer_id, sum(balance_due), count(*)
FROM invoices WHERE status IN ('issued', 'partially_paid') GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO ar_open_months (tenant_id, month, currency, customer_id, amount, invoices)
SELECT tenant_id, date_trunc('month', due_date::timestamp)::date, currency, customer_id, sum(balance_due), count(*)
FROM invoices WHERE status IN ('issued', 'partially_paid') GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
ALTER TABLE "invoices" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- 0005 filled account_month_totals from journal_lines the same way, and under the same role
-- that fill found nothing: a trial balance would then miss every month posted before 0005.
-- Fill it again from the lines, unforced, so that it is right whoever ran 0005 (where 0005
-- filled it, the result is the same rows).
ALTER TABLE "journal_lines" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "account_month_totals" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
DELETE FROM account_month_totals;
--> statement-breakpoint
INSERT INTO account_month_totals (tenant_id, account_id, currency, month, debit_total, credit_total)
SELECT tenant_id, account_id, currency, date_trunc('month', date::timestamp)::date, sum(debit), sum(credit)
FROM journal_lines GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
ALTER TABLE "journal_lines" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "account_month_totals" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "ar_open_days" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "ar_open_months" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- AR aging as of a past date takes back the open invoices issued after it: read them by issue
-- date. This replaces 0005's index of open invoices by due date, which only the aging and the
-- dashboard read.
CREATE INDEX "invoices_open_issued_idx" ON "invoices" USING btree ("tenant_id", "issue_date")
  INCLUDE ("currency", "customer_id", "due_date", "balance_due")
  WHERE "status" IN ('issued', 'partially_paid');
--> statement-breakpoint
DROP INDEX "invoices_open_items_idx";
