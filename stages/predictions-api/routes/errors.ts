import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../app.ts';
import { seriesRoute } from './series.ts';

export function predictionErrorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  seriesRoute(app, {
    url: '/v1/errors', record: 'PredictionError', tag: 'model error', maxLimit: deps.config.maxLimit, cacheMs: deps.config.listCacheMs, byModel: true,
    summary: 'Predictions checked against realised candles (model error next to the naive baseline), newest target first.',
    load: (q) => deps.queries.predictionErrors(q),
  });
}
