CREATE TABLE "account_month_totals" (
	"tenant_id" text NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"month" date NOT NULL,
	"debit_total" bigint NOT NULL,
	"credit_total" bigint NOT NULL,
	CONSTRAINT "account_month_totals_tenant_id_account_id_currency_month_pk" PRIMARY KEY("tenant_id","account_id","currency","month")
);
--> statement-breakpoint
DROP INDEX "invoices_tenant_customer_idx";--> statement-breakpoint
DROP INDEX "journal_lines_tenant_account_date_idx";--> statement-breakpoint
DROP INDEX "payments_tenant_customer_idx";--> statement-breakpoint
CREATE INDEX "invoices_tenant_status_issue_idx" ON "invoices" USING btree ("tenant_id","status","issue_date","id");--> statement-breakpoint
CREATE INDEX "payment_allocations_tenant_date_idx" ON "payment_allocations" USING btree ("tenant_id","date");--> statement-breakpoint
CREATE INDEX "invoices_tenant_customer_idx" ON "invoices" USING btree ("tenant_id","customer_id","issue_date","id");--> statement-breakpoint
CREATE INDEX "journal_lines_tenant_account_date_idx" ON "journal_lines" USING btree ("tenant_id","account_id","date","journal_id");--> statement-breakpoint
CREATE INDEX "payments_tenant_customer_idx" ON "payments" USING btree ("tenant_id","customer_id","date","id");