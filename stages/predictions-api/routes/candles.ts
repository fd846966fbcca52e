import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import { seriesRoute } from './series.ts';

export function candleRoutes(app: FastifyInstance, deps: ApiDeps): void {
  seriesRoute(app, {
    url: '/v1/candles',
    record: 'Candle',
    tag: 'candles',
    maxLimit: deps.config.maxLimit,
    cacheMs: deps.config.listCacheMs,
    summary: 'Closed OHLCV candles of a symbol and timeframe, newest first.',
    load: (q) => deps.queries.candles(q),
  });
}
