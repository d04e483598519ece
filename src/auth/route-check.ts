/**
 * The check that makes a forgotten permission impossible: every `/v1` route registered on
 * the app must carry exactly one permission guard (`permit(...)`), and every `/v1` operation
 * in the OpenAPI document must declare the same requirement as `x-permission`. `createApp`
 * runs it, so a Worker with an unguarded route fails at startup (and in every test run).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { requirementOf } from './authorize';
import type { Requirement } from './permissions';

const PREFIX = '/v1';

const underPrefix = (path: string) => path === PREFIX || path.startsWith(`${PREFIX}/`);

/** `/v1/invoices/{id}` (OpenAPI) → `/v1/invoices/:id` (Hono). */
const honoPath = (path: string) => path.replaceAll(/\{([^}]+)\}/g, ':$1');

/** Requirement per `METHOD path` as enforced by the registered handlers. */
function enforced(app: OpenAPIHono<AppEnv>, problems: string[]): Map<string, Requirement> {
  const byRoute = new Map<string, Set<Requirement>>();
  for (const r of app.routes) {
    // App-wide middleware (`.use('/v1/*', ...)`) is registered on wildcard paths; routes are not.
    if (!underPrefix(r.path) || r.path.endsWith('*')) continue;
    const id = `${r.method.toUpperCase()} ${r.path}`;
    const set = byRoute.get(id) ?? new Set<Requirement>();
    const required = requirementOf(r.handler);
    if (required !== undefined) set.add(required);
    byRoute.set(id, set);
  }
  const out = new Map<string, Requirement>();
  for (const [id, set] of byRoute) {
    const [only, ...more] = [...set];
    if (only === undefined)
      problems.push(`${id} has no permission guard (use permit(...) in its route)`);
    else if (more.length > 0) problems.push(`${id} has more than one permission guard`);
    else out.set(id, only);
  }
  return out;
}

/** Throws, naming each offender, unless every `/v1` route is guarded and documented alike. */
export function assertRoutesGuarded(app: OpenAPIHono<AppEnv>): void {
  const problems: string[] = [];
  const guarded = enforced(app, problems);
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== 'route' || !underPrefix(def.route.path)) continue;
    const id = `${def.route.method.toUpperCase()} ${honoPath(def.route.path)}`;
    const declared: unknown = def.route['x-permission'];
    if (declared === undefined) problems.push(`${id} declares no x-permission in OpenAPI`);
    else if (guarded.has(id) && guarded.get(id) !== declared)
      problems.push(`${id} documents ${String(declared)} but enforces ${guarded.get(id)}`);
  }
  if (problems.length > 0) throw new Error(`unguarded routes: ${problems.join('; ')}`);
}
