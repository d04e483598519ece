/** Parses configuration once per isolate and exposes it as `c.get('config')`. */
import { createMiddleware } from 'hono/factory';
import { getConfig, type AppEnv } from '../env';
import { log } from '../log';

export const loadConfig = createMiddleware<AppEnv>(async (c, next) => {
  const config = getConfig(c.env);
  log.setLevel(config.LOG_LEVEL);
  c.set('config', config);
  await next();
});
