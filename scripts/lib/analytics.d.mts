// Types of scripts/lib/analytics.mjs for the TypeScript suites.
export declare const QUERIES_DIR: string;
export declare const DEFAULT_API_BASE: string;
export declare function queryNames(): string[];
export declare function sinceInterval(text: string): string;
export declare function datasetsOf(env: string): { requests: string; ledger: string };
export declare function loadQuery(name: string, opts?: { env?: string; since?: string }): string;
export interface SqlResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
  rows: number;
}
export interface SqlAuth {
  accountId: string;
  apiToken: string;
  apiBase?: string;
  timeoutMs?: number;
}
export declare function runSql(sql: string, auth: SqlAuth): Promise<SqlResult>;
export declare function authFromEnv(env?: Record<string, string | undefined>): SqlAuth;
export declare function runNamedQuery(
  name: string,
  opts?: { env?: string; since?: string },
  auth?: SqlAuth,
): Promise<SqlResult>;
export declare function formatTable(result: Pick<SqlResult, 'meta' | 'data'>): string;
