import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** Something whose readiness /health/ready reports: a stage runner, a source, the database. */
export interface ReadinessCheck {
  name: string;
  ready(): boolean;
}

export interface HealthRoutesOptions {
  checks: () => readonly ReadinessCheck[];
  registry: Registry;
}

/**
 * /health/live answers while the process runs; /health/ready only when every check passes (subscribed,
 * caught up, database reachable), so Kubernetes routes traffic and rollouts wait on it; /metrics for Prometheus.
 */
export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  app.get('/health/live', async () => ({ status: 'live' }));
  app.get('/health/ready', async (_request, reply) => {
    const checks = Object.fromEntries(options.checks().map((c) => [c.name, c.ready()]));
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });
}
