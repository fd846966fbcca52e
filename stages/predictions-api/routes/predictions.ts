import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { timeframes } from '../../../pipeline/index.ts';
import type { Prediction } from '../../../schemas/types.ts';
import { ApiError } from '../api-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import { parseSymbol } from '../query-params.ts';
import { errorSchema, listSchema, recordSchema, withIsoTimes } from '../record-schemas.ts';
import { TtlCache } from '../ttl-cache.ts';
import { sendAsIs, seriesRoute } from './series.ts';

interface LatestAnswer {
  body: string;
  etag: string;
}

export function predictionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  seriesRoute(app, {
    url: '/v1/predictions',
    record: 'Prediction',
    tag: 'predictions',
    maxLimit: deps.config.maxLimit,
    cacheMs: deps.config.listCacheMs,
    byModel: true,
    summary: 'Model forecasts, newest feature time first, paged by `next` cursor.',
    load: (q) => deps.queries.predictions(q),
  });

  // The hot read path: answers are serialized once per key and ttl, and carry an ETag so pollers get a 304.
  const iso = withIsoTimes<Prediction>('Prediction');
  const cache = new TtlCache<LatestAnswer>(deps.config.latestCacheMs);
  const maxAge = Math.max(0, Math.floor(deps.config.latestCacheMs / 1000));
  app.get<{ Querystring: { symbol: string; timeframe?: string } }>('/v1/predictions/latest', {
    schema: {
      summary: 'The newest prediction of each timeframe and model of a symbol.',
      tags: ['predictions'],
      querystring: {
        type: 'object',
        properties: {
          symbol: { type: 'string', description: 'BASE/QUOTE (URL-encoded BTC%2FUSD) or BASE-QUOTE.' },
          timeframe: { type: 'string', enum: timeframes, description: 'Only this timeframe.' },
        },
        required: ['symbol'],
      },
      response: {
        200: listSchema(recordSchema('Prediction')),
        304: { type: 'null', description: 'Not modified (If-None-Match matched the ETag).' },
        400: errorSchema,
        404: errorSchema,
        503: errorSchema,
      },
    },
    handler: async (request, reply) => {
      const symbol = parseSymbol(request.query.symbol);
      const timeframe = request.query.timeframe;
      const answer = await cache.get(`${symbol}|${timeframe ?? ''}`, async () => {
        const rows = await deps.queries.latestPredictions(symbol, timeframe);
        const body = JSON.stringify({ data: rows.map(iso) });
        return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
      });
      if (answer.body === '{"data":[]}')
        throw new ApiError(404, `no predictions for ${symbol}${timeframe ? ` ${timeframe}` : ''}`);
      reply.header('etag', answer.etag).header('cache-control', `public, max-age=${maxAge}`);
      if (request.headers['if-none-match'] === answer.etag) return reply.code(304).send();
      // Already JSON: sent as is, not serialized again.
      return reply.type('application/json; charset=utf-8').serializer(sendAsIs).send(answer.body);
    },
  });
}
