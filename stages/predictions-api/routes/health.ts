import type { FastifyInstance } from 'fastify';
import { errorMessage } from '../../../pipeline/index.ts';
import type { ApiDeps } from '../api-deps.ts';

// The API process's own probes (workers get theirs from the runtime's HTTP server). Not rate limited and not
// behind API keys: orchestrators and Prometheus call them without credentials.

export function healthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const open = { rateLimit: false, public: true };
  app.get('/health/live', { config: open, schema: { tags: ['health'], summary: 'The process is up.' } }, async () => ({
    status: 'live',
  }));

  app.get(
    '/health/ready',
    { config: open, schema: { tags: ['health'], summary: 'The database answers.' } },
    async (_request, reply) => {
      try {
        await deps.health.ready();
        return { status: 'ready' };
      } catch (err) {
        reply.code(503).header('retry-after', String(deps.config.retryAfterSeconds));
        return { status: 'not ready', reason: errorMessage(err) };
      }
    },
  );

  app.get(
    '/metrics',
    { config: open, schema: { tags: ['health'], summary: 'Prometheus metrics.' } },
    async (_request, reply) => {
      reply.type(deps.registry.contentType);
      return deps.registry.metrics();
    },
  );
}
