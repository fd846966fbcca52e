import type { FastifyInstance } from 'fastify';
import type { SymbolSummary } from '../queries.ts';
import type { ApiDeps } from '../api-deps.ts';
import { errorSchema, listSchema } from '../record-schemas.ts';
import { TtlCache } from '../ttl-cache.ts';

export function symbolRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // A grouped scan of the candles table: cached like the latest values, it changes at most once a candle.
  const cache = new TtlCache<SymbolSummary[]>(deps.config.latestCacheMs);
  app.get('/v1/symbols', {
    schema: {
      summary: 'Symbols and timeframes with candles, with their count and first and last candle start.',
      tags: ['symbols'],
      response: {
        200: listSchema({
          type: 'object',
          properties: {
            symbol: { type: 'string' },
            timeframe: { type: 'string' },
            candles: { type: 'integer' },
            first: { type: 'integer' },
            firstIso: { type: 'string', format: 'date-time' },
            last: { type: 'integer' },
            lastIso: { type: 'string', format: 'date-time' },
          },
          required: ['symbol', 'timeframe', 'candles', 'first', 'firstIso', 'last', 'lastIso'],
        }),
        503: errorSchema,
      },
    },
    handler: async () => {
      const rows = await cache.get('symbols', () => deps.queries.symbols());
      return {
        data: rows.map((r) => ({
          ...r,
          firstIso: new Date(r.first).toISOString(),
          lastIso: new Date(r.last).toISOString(),
        })),
      };
    },
  });
}
