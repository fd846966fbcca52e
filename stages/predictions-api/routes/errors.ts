import type { FastifyInstance } from 'fastify';
import { timeframes } from '../../../pipeline/index.ts';
import { rollingStats } from '../../../market/forecast-metrics.ts';
import { ApiError } from '../api-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import { parseSymbol } from '../query-params.ts';
import { errorSchema, listSchema } from '../record-schemas.ts';
import { seriesRoute } from './series.ts';

const metricsSchema = {
  type: 'object',
  properties: { mae: { type: 'number' }, rmse: { type: 'number' }, directionalAccuracy: { type: 'number' } },
  required: ['mae', 'rmse', 'directionalAccuracy'],
};

export function predictionErrorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  seriesRoute(app, {
    url: '/v1/errors',
    record: 'PredictionError',
    tag: 'model error',
    maxLimit: deps.config.maxLimit,
    cacheMs: deps.config.listCacheMs,
    byModel: true,
    summary:
      'Predictions checked against realised candles (model error next to the naive baseline), newest target first.',
    load: (q) => deps.queries.predictionErrors(q),
  });

  // The same rolling windows as the error monitor's gauges, computed from the stored errors, so the API and
  // Prometheus agree: per model, MAE, RMSE and directional accuracy of the model next to the no-change baseline.
  app.get<{ Querystring: { symbol: string; timeframe: string; windows?: string } }>('/v1/errors/rolling', {
    schema: {
      summary: 'Rolling error of each model on a series, next to the naive no-change baseline on the same predictions.',
      tags: ['model error'],
      querystring: {
        type: 'object',
        properties: {
          symbol: { type: 'string', description: 'BASE/QUOTE (URL-encoded BTC%2FUSD) or BASE-QUOTE.' },
          timeframe: { type: 'string', enum: timeframes },
          windows: {
            type: 'string',
            description: 'Comma list of window sizes in predictions (default 50,500; at most 1000).',
          },
        },
        required: ['symbol', 'timeframe'],
      },
      response: {
        200: listSchema({
          type: 'object',
          properties: {
            modelName: { type: 'string' },
            window: { type: 'integer' },
            count: { type: 'integer' },
            model: metricsSchema,
            baseline: metricsSchema,
          },
        }),
        400: errorSchema,
        404: errorSchema,
        503: errorSchema,
      },
    },
    handler: async (request) => {
      const symbol = parseSymbol(request.query.symbol);
      const { timeframe } = request.query;
      const windows = (request.query.windows ?? '50,500').split(',').map((w) => Number(w.trim()));
      if (windows.some((w) => !Number.isInteger(w) || w < 1 || w > deps.config.maxLimit)) {
        throw new ApiError(
          400,
          `windows: must be a comma list of integers between 1 and ${deps.config.maxLimit}`,
          'windows',
        );
      }
      const newest = await deps.queries.predictionErrors({ symbol, timeframe, limit: deps.config.maxLimit });
      if (newest.rows.length === 0) throw new ApiError(404, `no prediction errors for ${symbol} ${timeframe}`);
      const byModel = new Map<string, typeof newest.rows>();
      for (const row of newest.rows) byModel.set(row.modelName, [...(byModel.get(row.modelName) ?? []), row]);
      const data = [...byModel].flatMap(([modelName, rows]) =>
        rollingStats([...rows].reverse(), windows).map((s) => ({ modelName, ...s })),
      );
      return { data };
    },
  });
}
