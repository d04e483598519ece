-- Every lock at once and first, as in 0006: lifting FORCE below takes ACCESS EXCLUSIVE on
-- invoices, and the index below a SHARE lock on ar_open_days, which the invoices triggers
-- write. Reads and writes of both wait until the migration commits (docs/runbook.md).
LOCK TABLE "invoices", "ar_open_days" IN ACCESS EXCLUSIVE MODE;
--> statement-breakpoint
CREATE TABLE "ar_open_customers" (
	"tenant_id" text NOT NULL,
	"currency" text NOT NULL,
	"customer_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"invoices" integer NOT NULL,
	CONSTRAINT "ar_open_customers_tenant_id_customer_id_currency_pk" PRIMARY KEY("tenant_id","customer_id","currency")
);
--> statement-breakpoint
CREATE TABLE "ar_open_tenant_days" (
	"tenant_id" text NOT NULL,
	"currency" text NOT NULL,
	"due_date" date NOT NULL,
	"amount" bigint NOT NULL,
	"invoices" integer NOT NULL,
	CONSTRAINT "ar_open_tenant_days_tenant_id_currency_due_date_pk" PRIMARY KEY("tenant_id","currency","due_date")
);
--> statement-breakpoint
-- Two more open-receivable totals beside ar_open_days / ar_open_months (0006), kept the same
-- way by statement-level triggers on invoices in the same transaction as the invoices: Σ
-- balance_due and the count of open (issued or partially paid) invoices per customer and
-- currency (ar_open_customers: what each customer owes now) and per currency and due date
-- over all customers (ar_open_tenant_days). Inserts and deletes add or subtract the
-- statement's open rows, an update nets old against new, a row whose invoice count reaches
-- 0 is deleted. AR aging reads them (src/read/queries/ar-aging-sql.ts). Row-level security
-- as in 0002; writes to one tenant's invoices are serialized by its checkpoint lock
-- (src/read/projection.ts).
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "ar_open_customers", "ar_open_tenant_days" TO finance_app;
--> statement-breakpoint
ALTER TABLE "ar_open_customers" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "ar_open_customers" TO finance_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE "ar_open_tenant_days" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "ar_open_tenant_days" TO finance_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
-- TG_ARGV[0]: 1 adds the statement's rows (inserted), -1 subtracts them (deleted).
CREATE FUNCTION ar_open_rollups_sync() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
DECLARE
  sign integer := TG_ARGV[0]::integer;
BEGIN
  INSERT INTO ar_open_customers AS t (tenant_id, customer_id, currency, amount, invoices)
  SELECT c.tenant_id, c.customer_id, c.currency, sign * sum(c.balance_due), sign * count(*)
  FROM changed c WHERE c.status IN ('issued', 'partially_paid') GROUP BY 1, 2, 3
  ON CONFLICT (tenant_id, customer_id, currency) DO UPDATE
    SET amount = t.amount + excluded.amount, invoices = t.invoices + excluded.invoices;
  INSERT INTO ar_open_tenant_days AS t (tenant_id, currency, due_date, amount, invoices)
  SELECT c.tenant_id, c.currency, c.due_date, sign * sum(c.balance_due), sign * count(*)
  FROM changed c WHERE c.status IN ('issued', 'partially_paid') GROUP BY 1, 2, 3
  ON CONFLICT (tenant_id, currency, due_date) DO UPDATE
    SET amount = t.amount + excluded.amount, invoices = t.invoices + excluded.invoices;
  IF sign < 0 THEN
    DELETE FROM ar_open_customers t
    USING (SELECT DISTINCT c.tenant_id, c.customer_id, c.currency FROM changed c WHERE c.status IN ('issued', 'partially_paid')) k
    WHERE t.tenant_id = k.tenant_id AND t.customer_id = k.customer_id AND t.currency = k.currency
      AND t.invoices = 0;
    DELETE FROM ar_open_tenant_days t
    USING (SELECT DISTINCT c.tenant_id, c.currency, c.due_date FROM changed c WHERE c.status IN ('issued', 'partially_paid')) k
    WHERE t.tenant_id = k.tenant_id AND t.currency = k.currency AND t.due_date = k.due_date
      AND t.invoices = 0;
  END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER invoices_ar_open_rollups_insert AFTER INSERT ON "invoices"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ar_open_rollups_sync('1');
--> statement-breakpoint
-- An update nets each key's change first, so rewriting an invoice row unchanged (the
-- projection rewrites a whole invoice per event) writes nothing here.
CREATE FUNCTION ar_open_rollups_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
BEGIN
  WITH delta AS (
    SELECT n.tenant_id, n.customer_id, n.currency, n.balance_due AS amount, 1 AS invoices
    FROM new_rows n WHERE n.status IN ('issued', 'partially_paid')
    UNION ALL
    SELECT o.tenant_id, o.customer_id, o.currency, -o.balance_due, -1
    FROM old_rows o WHERE o.status IN ('issued', 'partially_paid')
  )
  INSERT INTO ar_open_customers AS t (tenant_id, customer_id, currency, amount, invoices)
  SELECT d.tenant_id, d.customer_id, d.currency, sum(d.amount), sum(d.invoices)
  FROM delta d GROUP BY 1, 2, 3 HAVING sum(d.amount) <> 0 OR sum(d.invoices) <> 0
  ON CONFLICT (tenant_id, customer_id, currency) DO UPDATE
    SET amount = t.amount + excluded.amount, invoices = t.invoices + excluded.invoices;
  WITH delta AS (
    SELECT n.tenant_id, n.currency, n.due_date, n.balance_due AS amount, 1 AS invoices
    FROM new_rows n WHERE n.status IN ('issued', 'partially_paid')
    UNION ALL
    SELECT o.tenant_id, o.currency, o.due_date, -o.balance_due, -1
    FROM old_rows o WHERE o.status IN ('issued', 'partially_paid')
  )
  INSERT INTO ar_open_tenant_days AS t (tenant_id, currency, due_date, amount, invoices)
  SELECT d.tenant_id, d.currency, d.due_date, sum(d.amount), sum(d.invoices)
  FROM delta d GROUP BY 1, 2, 3 HAVING sum(d.amount) <> 0 OR sum(d.invoices) <> 0
  ON CONFLICT (tenant_id, currency, due_date) DO UPDATE
    SET amount = t.amount + excluded.amount, invoices = t.invoices + excluded.invoices;
  DELETE FROM ar_open_customers t
  USING (SELECT DISTINCT o.tenant_id, o.customer_id, o.currency FROM old_rows o WHERE o.status IN ('issued', 'partially_paid')) k
  WHERE t.tenant_id = k.tenant_id AND t.customer_id = k.customer_id AND t.currency = k.currency
    AND t.invoices = 0;
  DELETE FROM ar_open_tenant_days t
  USING (SELECT DISTINCT o.tenant_id, o.currency, o.due_date FROM old_rows o WHERE o.status IN ('issued', 'partially_paid')) k
  WHERE t.tenant_id = k.tenant_id AND t.currency = k.currency AND t.due_date = k.due_date
    AND t.invoices = 0;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER invoices_ar_open_rollups_update AFTER UPDATE ON "invoices"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ar_open_rollups_update();
--> statement-breakpoint
CREATE TRIGGER invoices_ar_open_rollups_delete AFTER DELETE ON "invoices"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ar_open_rollups_sync('-1');
--> statement-breakpoint
-- Invoices that exist already, read unforced as in 0006 (a migrating role without BYPASSRLS
-- would otherwise see none and fill nothing, silently); FORCE comes back below.
ALTER TABLE "invoices" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
INSERT INTO ar_open_customers (tenant_id, customer_id, currency, amount, invoices)
SELECT tenant_id, customer_id, currency, sum(balance_due), count(*)
FROM invoices WHERE status IN ('issued', 'partially_paid') GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO ar_open_tenant_days (tenant_id, currency, due_date, amount, invoices)
SELECT tenant_id, currency, due_date, sum(balance_due), count(*)
FROM invoices WHERE status IN ('issued', 'partially_paid') GROUP BY 1, 2, 3;
--> statement-breakpoint
ALTER TABLE "invoices" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "ar_open_customers" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "ar_open_tenant_days" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A page of the AR aging reads the due days of its customers only.
CREATE INDEX "ar_open_days_tenant_customer_idx" ON "ar_open_days" USING btree ("tenant_id","customer_id","due_date");
