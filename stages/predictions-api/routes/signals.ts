import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import { seriesRoute } from './series.ts';

export function signalRoutes(app: FastifyInstance, deps: ApiDeps): void {
  seriesRoute(app, {
    url: '/v1/signals',
    record: 'Signal',
    tag: 'signals',
    maxLimit: deps.config.maxLimit,
    cacheMs: deps.config.listCacheMs,
    summary: 'Risk-checked trading signals, newest first.',
    load: (q) => deps.queries.signals(q),
  });
}
