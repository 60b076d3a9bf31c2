// The Engine API: all routes on one router, served by createApiServer.
import type { Builder } from '../build/index.js';
import type { Engine } from '../engine/engine.js';
import { Router } from './router.js';
import { archiveRoutes } from './routes/archive.js';
import { buildRoutes } from './routes/build.js';
import { containerRoutes } from './routes/containers.js';
import { resourceRoutes } from './routes/resources.js';
import { execRoutes } from './routes/exec.js';
import { imageRoutes } from './routes/images.js';
import { networkRoutes } from './routes/networks.js';
import { registryRoutes } from './routes/registry.js';
import { systemRoutes, type SystemInfo } from './routes/system.js';
import { systemDfRoutes } from './routes/system-df.js';
import { volumeRoutes } from './routes/volumes.js';

export { createApiServer, type ApiLogger } from './server.js';
export type { SystemInfo };

export function buildRouter(engine: Engine, info: SystemInfo, builder?: Builder): Router {
  const router = new Router();
  systemRoutes(router, engine, info);
  systemDfRoutes(router, engine);
  containerRoutes(router, engine);
  archiveRoutes(router, engine);
  resourceRoutes(router, engine);
  execRoutes(router, engine);
  registryRoutes(router, engine);
  imageRoutes(router, engine);
  networkRoutes(router, engine);
  volumeRoutes(router, engine);
  if (builder) buildRoutes(router, builder);
  return router;
}
