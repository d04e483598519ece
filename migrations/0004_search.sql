-- Read-side search and name ordering (custom: drizzle-kit cannot express these).
--
-- 1. Generated columns (STORED, so the projection's upserts keep them current with no
--    extra work): name_key = lower(name) in collation "C" for the case-insensitive name
--    order and prefix filter of the customer/vendor lists; search_tsv full-text vectors
--    with the 'simple' configuration (no stemming, no stop words: names, emails and tax ids
--    are matched as written) on customers and vendors (an email is indexed whole, as
--    local part + domain, and word by word), invoices (memo) and invoice_lines
--    (description). GIN indexes on the vectors, btree on (tenant_id, name_key, id).
--    An invoice matches on its memo and lines together ("redesign hosting" finds an
--    invoice whose memo says one word and a line the other): search_documents() takes
--    candidates from the GIN indexes and checks the query against memo || lines. (A
--    trigger-maintained combined vector on invoices was measured first: it wrote every new
--    invoice twice and cost the projection 35-45% of its throughput; these generated
--    columns cost it nothing measurable.)
--
-- 2. Why a SECURITY DEFINER function: with row-level security the planner may use a
--    predicate as an index condition only if its operator is LEAKPROOF, and the text
--    search operator @@ (ts_match_vq) is not; inside finance_app transactions every
--    search would read all of the tenant's rows. search_documents() runs as the NOLOGIN
--    role finance_search, whose only policy is SELECT USING (true) on the four searched
--    tables (so there is no lower-level security qual and the GIN indexes apply), and it
--    filters every table to current_setting('app.tenant_id') itself: called outside a
--    tenant transaction it returns nothing. Only finance_app may execute it.
ALTER TABLE "customers" ADD COLUMN "name_key" text COLLATE "C" GENERATED ALWAYS AS (lower("name")) STORED;
--> statement-breakpoint
ALTER TABLE "vendors" ADD COLUMN "name_key" text COLLATE "C" GENERATED ALWAYS AS (lower("name")) STORED;
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_tsv" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, "name"), 'A') ||
  setweight(to_tsvector('simple'::regconfig, coalesce("email", '') || ' ' || replace(coalesce("email", ''), '@', ' ') || ' ' || translate(coalesce("email", ''), '@.', '  ') || ' ' || coalesce("tax_id", '')), 'B')
) STORED;
--> statement-breakpoint
ALTER TABLE "vendors" ADD COLUMN "search_tsv" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, "name"), 'A') ||
  setweight(to_tsvector('simple'::regconfig, coalesce("email", '') || ' ' || replace(coalesce("email", ''), '@', ' ') || ' ' || translate(coalesce("email", ''), '@.', '  ') || ' ' || coalesce("tax_id", '')), 'B')
) STORED;
--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "search_tsv" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, coalesce("memo", '')), 'A')) STORED;
--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD COLUMN "search_tsv" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, "description"), 'B')) STORED;
--> statement-breakpoint
CREATE INDEX "invoice_lines_search_idx" ON "invoice_lines" USING gin ("search_tsv");
--> statement-breakpoint
CREATE INDEX "customers_tenant_name_key_idx" ON "customers" USING btree ("tenant_id", "name_key", "id");
--> statement-breakpoint
CREATE INDEX "vendors_tenant_name_key_idx" ON "vendors" USING btree ("tenant_id", "name_key", "id");
--> statement-breakpoint
CREATE INDEX "customers_search_idx" ON "customers" USING gin ("search_tsv");
--> statement-breakpoint
CREATE INDEX "vendors_search_idx" ON "vendors" USING gin ("search_tsv");
--> statement-breakpoint
CREATE INDEX "invoices_search_idx" ON "invoices" USING gin ("search_tsv");
--> statement-breakpoint
-- websearch_to_tsquery syntax (quoted phrases, "or", -word); the last term also matches as
-- a prefix, so a half-typed word finds its completions. Empty queries stay empty.
CREATE FUNCTION search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN websearch_to_tsquery('simple'::regconfig, q)::text ~ '''$'
    THEN (websearch_to_tsquery('simple'::regconfig, q)::text || ':*')::tsquery
  ELSE websearch_to_tsquery('simple'::regconfig, q)
END;
--> statement-breakpoint
-- Any of the query's positive terms as whole words (negations dropped, AND and phrase
-- operators turned into OR, no prefix); NULL when it has none. Finds invoices whose memo
-- has some terms and whose lines have the others.
CREATE FUNCTION search_any_term(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN querytree(websearch_to_tsquery('simple'::regconfig, q)) = 'T' THEN NULL
  ELSE regexp_replace(querytree(websearch_to_tsquery('simple'::regconfig, q)), '(''|\))\s*(&|<->|<\d+>)\s*(''|\()', '\1 | \3', 'g')::tsquery
END;
--> statement-breakpoint
CREATE AGGREGATE tsvector_agg(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'finance_search') THEN
    CREATE ROLE finance_search NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
GRANT finance_search TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO finance_search;
--> statement-breakpoint
GRANT SELECT ON TABLE "customers", "vendors", "invoices", "invoice_lines" TO finance_search;
--> statement-breakpoint
CREATE POLICY search_definer ON "customers" FOR SELECT TO finance_search USING (true);
--> statement-breakpoint
CREATE POLICY search_definer ON "vendors" FOR SELECT TO finance_search USING (true);
--> statement-breakpoint
CREATE POLICY search_definer ON "invoices" FOR SELECT TO finance_search USING (true);
--> statement-breakpoint
CREATE POLICY search_definer ON "invoice_lines" FOR SELECT TO finance_search USING (true);
--> statement-breakpoint
-- The search query, as text: $1 tenant, $2 the parsed query, $3 any of its terms (NULL:
-- none), $4 whether it negates terms, $5 document types, $6 max rows. search_documents()
-- runs it with EXECUTE ... USING, so each call is planned with the actual queries (a
-- generic plan cannot tell a rare word from a common one, and went 10x slower on 100k
-- invoices); the EXPLAIN test reads it from here.
-- An invoice matches when its memo matches, or one line does, or the query's terms are
-- spread over memo and lines (the 500 most recent invoices with words on both sides are
-- checked against memo || lines). With negated terms every hit is checked against the
-- whole invoice. Invoice ranks are the best of its matching parts.
CREATE FUNCTION search_documents_query() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN $query$
WITH memo_any AS MATERIALIZED (
  -- Invoices whose memo has any of the words (GIN); spread matches start from these.
  SELECT i.id FROM invoices i
  WHERE 'invoice' = ANY ($5) AND i.tenant_id = $1 AND i.search_tsv @@ $3
), spread AS (
  -- Newest first (OFFSET 0 keeps the line probe above the sort), probing each invoice's
  -- lines by key until 500 have a word there too: never a scan of every matching line.
  SELECT s.id FROM (SELECT m.id FROM memo_any m ORDER BY m.id DESC OFFSET 0) s
  WHERE (SELECT true FROM invoice_lines cl
    WHERE cl.tenant_id = $1 AND cl.invoice_id = s.id AND cl.search_tsv @@ $3 LIMIT 1)
  LIMIT 500
), invoice_hits AS (
  SELECT i.id, ts_rank(i.search_tsv, $2) AS rank FROM invoices i
  WHERE 'invoice' = ANY ($5) AND i.tenant_id = $1 AND i.search_tsv @@ $2
  UNION ALL
  SELECT l.invoice_id, ts_rank(l.search_tsv, $2) FROM invoice_lines l
  WHERE 'invoice' = ANY ($5) AND l.tenant_id = $1 AND l.search_tsv @@ $2
  UNION ALL
  SELECT d.id, ts_rank(d.tsv, $2) FROM (
    SELECT i.id, i.search_tsv || coalesce((SELECT tsvector_agg(l.search_tsv ORDER BY l.line_no) FROM invoice_lines l
      WHERE l.tenant_id = $1 AND l.invoice_id = i.id), ''::tsvector) AS tsv
    FROM spread JOIN invoices i ON i.tenant_id = $1 AND i.id = spread.id
  ) d
  WHERE ts_match_vq(d.tsv, $2)
), hits AS (
  SELECT 'customer'::text AS doc_type, c.id AS doc_id, ts_rank(c.search_tsv, $2) AS rank FROM customers c
  WHERE 'customer' = ANY ($5) AND c.tenant_id = $1 AND c.search_tsv @@ $2
  UNION ALL
  SELECT 'vendor', v.id, ts_rank(v.search_tsv, $2) FROM vendors v
  WHERE 'vendor' = ANY ($5) AND v.tenant_id = $1 AND v.search_tsv @@ $2
  UNION ALL
  SELECT 'invoice', h.id, max(h.rank) FROM invoice_hits h
  WHERE NOT $4 OR ts_match_vq((SELECT i.search_tsv || coalesce((SELECT tsvector_agg(l.search_tsv ORDER BY l.line_no) FROM invoice_lines l
      WHERE l.tenant_id = $1 AND l.invoice_id = i.id), ''::tsvector) FROM invoices i WHERE i.tenant_id = $1 AND i.id = h.id), $2)
  GROUP BY h.id
), top AS (
  SELECT doc_type, doc_id, rank FROM hits ORDER BY rank DESC, doc_type, doc_id LIMIT $6
)
SELECT top.doc_type, top.doc_id,
  CASE top.doc_type WHEN 'invoice' THEN i.id || ' · ' || coalesce(ic.name, i.customer_id) ELSE coalesce(c.name, v.name) END,
  CASE top.doc_type
    WHEN 'invoice' THEN nullif(ts_headline('simple'::regconfig,
      concat_ws(' — ', i.memo, (SELECT string_agg(il.description, '; ' ORDER BY il.line_no) FROM invoice_lines il
        WHERE il.tenant_id = $1 AND il.invoice_id = i.id)),
      $2, 'StartSel="", StopSel="", MinWords=5, MaxWords=20, MaxFragments=2, FragmentDelimiter=" … "'), '')
    ELSE nullif(concat_ws(' · ', coalesce(c.email, v.email), coalesce(c.tax_id, v.tax_id)), '')
  END,
  top.rank
FROM top
LEFT JOIN customers c ON top.doc_type = 'customer' AND c.tenant_id = $1 AND c.id = top.doc_id
LEFT JOIN vendors v ON top.doc_type = 'vendor' AND v.tenant_id = $1 AND v.id = top.doc_id
LEFT JOIN invoices i ON top.doc_type = 'invoice' AND i.tenant_id = $1 AND i.id = top.doc_id
LEFT JOIN customers ic ON ic.tenant_id = $1 AND ic.id = i.customer_id
ORDER BY top.rank DESC, top.doc_type, top.doc_id
$query$;
--> statement-breakpoint
-- The entry point: parses the query once, takes the tenant from app.tenant_id (nothing
-- outside a tenant transaction; nothing for empty or only-negated queries).
CREATE FUNCTION search_documents(q text, doc_types text[], max_rows integer)
RETURNS TABLE (doc_type text, doc_id text, title text, snippet text, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $fn$
DECLARE
  tenant text := current_setting('app.tenant_id', true);
  parsed tsquery := search_query(q);
BEGIN
  IF coalesce(tenant, '') = '' OR numnode(parsed) = 0 OR querytree(parsed) = 'T' THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE search_documents_query()
    USING tenant, parsed, search_any_term(q), querytree(parsed) <> parsed::text, doc_types, max_rows;
END
$fn$;
--> statement-breakpoint
-- ALTER ... OWNER needs the new owner to hold CREATE on the schema; it is taken back after.
GRANT CREATE ON SCHEMA public TO finance_search;
--> statement-breakpoint
ALTER FUNCTION search_documents(text, text[], integer) OWNER TO finance_search;
--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM finance_search;
--> statement-breakpoint
REVOKE ALL ON FUNCTION search_documents(text, text[], integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION search_documents(text, text[], integer) TO finance_app;
