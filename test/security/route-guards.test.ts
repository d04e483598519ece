/**
 * The startup check behind "every route declares its permission": an app with a `/v1` route
 * that has no guard, two guards, or documentation that disagrees with its guard is refused.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { assertRoutesGuarded } from '../../src/auth/route-check';
import type { AppEnv } from '../../src/env';
import { permit, requirePermission } from '../../src/auth/authorize';

const ok = {
  200: { description: 'ok', content: { 'application/json': { schema: z.object({}) } } },
};

function appWith(build: (app: OpenAPIHono<AppEnv>) => void): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/*', async (_c, next) => next()); // app-wide middleware is not a route
  build(app);
  return app;
}

describe('route guard check', () => {
  it('accepts the real app', () => {
    expect(() => createApp()).not.toThrow();
  });

  it('accepts guarded OpenAPI routes and guarded plain routes', () => {
    const app = appWith((a) => {
      a.openapi(
        createRoute({ method: 'get', path: '/v1/things', ...permit('books:read'), responses: ok }),
        (c) => c.json({}, 200),
      );
      a.get('/v1/plain', requirePermission('audit:read'), (c) => c.json({}));
      a.get('/health', (c) => c.json({})); // outside /v1: not checked
    });
    expect(() => assertRoutesGuarded(app)).not.toThrow();
  });

  it('refuses a /v1 route without a guard, naming it', () => {
    const openapi = appWith((a) =>
      a.openapi(createRoute({ method: 'post', path: '/v1/things/{id}', responses: ok }), (c) =>
        c.json({}, 200),
      ),
    );
    expect(() => assertRoutesGuarded(openapi)).toThrow(
      /POST \/v1\/things\/:id has no permission guard/,
    );
    expect(() => assertRoutesGuarded(openapi)).toThrow(/declares no x-permission/);
    const plain = appWith((a) => a.delete('/v1/things', (c) => c.body(null, 204)));
    expect(() => assertRoutesGuarded(plain)).toThrow(/DELETE \/v1\/things has no permission guard/);
  });

  it('refuses two guards on one route, and documentation that disagrees with the guard', () => {
    const twice = appWith((a) =>
      a.get('/v1/x', requirePermission('books:read'), requirePermission('audit:read'), (c) =>
        c.json({}),
      ),
    );
    expect(() => assertRoutesGuarded(twice)).toThrow(/more than one permission guard/);
    const lying = appWith((a) =>
      a.openapi(
        createRoute({
          method: 'get',
          path: '/v1/x',
          ...permit('books:read'),
          'x-permission': 'audit:read',
          responses: ok,
        }),
        (c) => c.json({}, 200),
      ),
    );
    expect(() => assertRoutesGuarded(lying)).toThrow(
      /documents audit:read but enforces books:read/,
    );
  });
});
