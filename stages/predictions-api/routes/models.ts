import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import { errorSchema, listSchema } from '../record-schemas.ts';

export function modelRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/models', {
    schema: {
      summary: 'Registered models by task; `active` when the model serves its task somewhere.',
      tags: ['models'],
      response: {
        200: listSchema({
          type: 'object',
          properties: {
            name: { type: 'string' },
            version: { type: 'string' },
            task: { type: 'string', description: 'What the model is for: return-forecast, volatility-forecast, ...' },
            timeframe: { type: 'string' },
            sha256: { type: 'string' },
            card: {
              type: 'object',
              additionalProperties: true,
              description: 'The model card (metrics, features, training data).',
            },
            onnxPath: { type: ['string', 'null'] },
            active: { type: 'boolean' },
            registeredAt: { type: 'integer' },
            registeredAtIso: { type: 'string', format: 'date-time' },
          },
          required: [
            'name',
            'version',
            'task',
            'timeframe',
            'sha256',
            'card',
            'onnxPath',
            'active',
            'registeredAt',
            'registeredAtIso',
          ],
        }),
        503: errorSchema,
      },
    },
    handler: async () => {
      const rows = await deps.queries.models();
      return { data: rows.map((r) => ({ ...r, registeredAtIso: new Date(r.registeredAt).toISOString() })) };
    },
  });
}
