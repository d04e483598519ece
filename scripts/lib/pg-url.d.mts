// Types of scripts/lib/pg-url.mjs for the TypeScript suites.
import type { ClientConfig } from 'pg';
export declare function pgClientConfig(databaseUrl: string): {
  config: ClientConfig;
  sslmode: string;
  host: string;
};
export declare function redactedUrl(databaseUrl: string): string;
