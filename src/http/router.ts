/** Resource routers: `OpenAPIHono` with the API's validation answers built in. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { EntityKind } from '../domain/state';
import type { AppEnv } from '../env';
import { validationHook } from './validation';

/** A router, of one resource kind when it has `{id}` routes (malformed ids answer that kind's 404). */
export function createRouter(kind?: EntityKind) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook(kind) });
}
