import type { FastifyInstance } from 'fastify';
import { healthRoutes, type HealthRoutesOptions } from './health-routes.ts';

/** The small HTTP server of `candleflow run <stage>`: health and metrics only. */
export async function startWorkerServer(
  options: HealthRoutesOptions & { port: number; host?: string },
): Promise<FastifyInstance> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  await app.register(healthRoutes, options);
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  return app;
}
