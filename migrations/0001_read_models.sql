CREATE TABLE "account_balances" (
	"tenant_id" text NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"debit_total" bigint NOT NULL,
	"credit_total" bigint NOT NULL,
	"balance" bigint GENERATED ALWAYS AS ("debit_total" - "credit_total") STORED NOT NULL,
	"last_position" bigint NOT NULL,
	CONSTRAINT "account_balances_tenant_id_account_id_currency_pk" PRIMARY KEY("tenant_id","account_id","currency")
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"parent_id" text,
	"description" text,
	"active" boolean NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_position" bigint NOT NULL,
	CONSTRAINT "accounts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"tax_id" text,
	"default_currency" text,
	"active" boolean NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_position" bigint NOT NULL,
	CONSTRAINT "customers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"tenant_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"description" text NOT NULL,
	"quantity_milli" bigint NOT NULL,
	"unit_amount" bigint NOT NULL,
	"revenue_account_id" text NOT NULL,
	"tax_rate_ppm" integer NOT NULL,
	"amount" bigint NOT NULL,
	"tax_amount" bigint NOT NULL,
	CONSTRAINT "invoice_lines_tenant_id_invoice_id_line_no_pk" PRIMARY KEY("tenant_id","invoice_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"issue_date" date NOT NULL,
	"due_date" date NOT NULL,
	"memo" text,
	"subtotal" bigint NOT NULL,
	"tax_total" bigint NOT NULL,
	"total" bigint NOT NULL,
	"paid_amount" bigint NOT NULL,
	"balance_due" bigint NOT NULL,
	"journal_id" text,
	"receivable_account_id" text,
	"issued_at" timestamp with time zone,
	"voided_on" date,
	"voided_at" timestamp with time zone,
	"void_journal_id" text,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_position" bigint NOT NULL,
	CONSTRAINT "invoices_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"date" date NOT NULL,
	"memo" text,
	"currency" text NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text,
	"reversal_of" text,
	"reversed_by" text,
	"posted_at" timestamp with time zone NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_position" bigint NOT NULL,
	CONSTRAINT "journal_entries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "journal_lines" (
	"tenant_id" text NOT NULL,
	"journal_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"debit" bigint NOT NULL,
	"credit" bigint NOT NULL,
	"description" text,
	"date" date NOT NULL,
	CONSTRAINT "journal_lines_tenant_id_journal_id_line_no_pk" PRIMARY KEY("tenant_id","journal_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "payment_allocations" (
	"tenant_id" text NOT NULL,
	"payment_id" text NOT NULL,
	"position" bigint NOT NULL,
	"seq" integer NOT NULL,
	"invoice_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"date" date NOT NULL,
	"journal_id" text NOT NULL,
	CONSTRAINT "payment_allocations_tenant_id_payment_id_position_seq_pk" PRIMARY KEY("tenant_id","payment_id","position","seq")
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"date" date NOT NULL,
	"method" text NOT NULL,
	"reference" text,
	"journal_id" text NOT NULL,
	"cash_account_id" text NOT NULL,
	"unapplied_account_id" text NOT NULL,
	"allocated_amount" bigint NOT NULL,
	"unallocated_amount" bigint NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_position" bigint NOT NULL,
	CONSTRAINT "payments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "tenant_settings" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"lock_date" date,
	"receivable_account_id" text NOT NULL,
	"revenue_account_id" text NOT NULL,
	"tax_payable_account_id" text NOT NULL,
	"cash_account_id" text NOT NULL,
	"unapplied_payments_account_id" text NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vendors" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"tax_id" text,
	"default_currency" text,
	"active" boolean NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"last_position" bigint NOT NULL,
	CONSTRAINT "vendors_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_tenant_code_uq" ON "accounts" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE INDEX "accounts_tenant_parent_idx" ON "accounts" USING btree ("tenant_id","parent_id");--> statement-breakpoint
CREATE INDEX "customers_tenant_name_idx" ON "customers" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "invoices_tenant_status_due_idx" ON "invoices" USING btree ("tenant_id","status","due_date");--> statement-breakpoint
CREATE INDEX "invoices_tenant_customer_idx" ON "invoices" USING btree ("tenant_id","customer_id","issue_date");--> statement-breakpoint
CREATE INDEX "invoices_tenant_issue_date_idx" ON "invoices" USING btree ("tenant_id","issue_date","id");--> statement-breakpoint
CREATE INDEX "journal_entries_tenant_date_idx" ON "journal_entries" USING btree ("tenant_id","date","id");--> statement-breakpoint
CREATE INDEX "journal_entries_tenant_source_idx" ON "journal_entries" USING btree ("tenant_id","source_type","source_id");--> statement-breakpoint
CREATE INDEX "journal_lines_tenant_date_idx" ON "journal_lines" USING btree ("tenant_id","date");--> statement-breakpoint
CREATE INDEX "journal_lines_tenant_account_date_idx" ON "journal_lines" USING btree ("tenant_id","account_id","date");--> statement-breakpoint
CREATE INDEX "payment_allocations_tenant_invoice_idx" ON "payment_allocations" USING btree ("tenant_id","invoice_id");--> statement-breakpoint
CREATE INDEX "payments_tenant_customer_idx" ON "payments" USING btree ("tenant_id","customer_id","date");--> statement-breakpoint
CREATE INDEX "payments_tenant_date_idx" ON "payments" USING btree ("tenant_id","date","id");--> statement-breakpoint
CREATE INDEX "vendors_tenant_name_idx" ON "vendors" USING btree ("tenant_id","name");