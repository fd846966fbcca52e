import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import { seriesRoute } from './series.ts';

export function featureRoutes(app: FastifyInstance, deps: ApiDeps): void {
  seriesRoute(app, {
    url: '/v1/features',
    record: 'FeatureVector',
    tag: 'features',
    maxLimit: deps.config.maxLimit,
    cacheMs: deps.config.listCacheMs,
    summary: 'Technical indicators per closed candle, newest first.',
    load: (q) => deps.queries.features(q),
  });
}
