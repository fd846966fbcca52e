import type { FastifyInstance } from 'fastify';
import type { Page, SeriesQuery } from '../queries.ts';
import { timeframes } from '../../../pipeline/index.ts';
import type { RecordName } from '../../../schemas/records.ts';
import { decodeCursor, encodeCursor, parseRange, parseSymbol } from '../query-params.ts';
import { errorSchema, pageSchema, withIsoTimes } from '../record-schemas.ts';
import { TtlCache } from '../ttl-cache.ts';

// The shape every time-series route shares: symbol + timeframe, an optional [from, to) window, newest first,
// `limit` rows a page and a keyset `cursor` for the next page.

export interface SeriesQueryString {
  symbol: string;
  timeframe: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
  model?: string;
}

export interface SeriesRouteOptions<T extends object> {
  url: string;
  record: RecordName;
  summary: string;
  tag: string;
  maxLimit: number;
  /** Reuse an answer for the same query this long (ms): dashboards polling "the last 50 candles" cost one query a second. */
  cacheMs: number;
  /** Adds the `model` filter (predictions, errors). */
  byModel?: boolean;
  load(q: SeriesQuery): Promise<Page<T>>;
}

/** For bodies that are JSON already. */
export const sendAsIs = (payload: unknown): string => payload as string;

export const timeParamDoc = 'Epoch milliseconds or ISO-8601 (e.g. 2019-07-01T00:00:00Z; no offset means UTC).';

export function seriesQuerySchema(maxLimit: number, byModel: boolean): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      symbol: { type: 'string', description: 'BASE/QUOTE (URL-encoded BTC%2FUSD) or BASE-QUOTE.' },
      timeframe: { type: 'string', enum: timeframes, description: 'Candle timeframe.' },
      from: { type: 'string', description: `Inclusive start. ${timeParamDoc}` },
      to: { type: 'string', description: `Exclusive end. ${timeParamDoc}` },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: maxLimit,
        default: 100,
        description: `Rows per page, at most ${maxLimit}.`,
      },
      cursor: { type: 'string', description: 'The `next` value of the previous page.' },
      ...(byModel ? { model: { type: 'string', minLength: 1, maxLength: 200, description: 'Only this model.' } } : {}),
    },
    required: ['symbol', 'timeframe'],
  };
}

export function seriesRoute<T extends object>(app: FastifyInstance, o: SeriesRouteOptions<T>): void {
  const iso = withIsoTimes<T>(o.record);
  // Answers are cached serialized: a hit costs no query and no serialization.
  const cache = new TtlCache<string>(o.cacheMs);
  app.get<{ Querystring: SeriesQueryString }>(o.url, {
    schema: {
      summary: o.summary,
      tags: [o.tag],
      querystring: seriesQuerySchema(o.maxLimit, o.byModel ?? false),
      response: { 200: pageSchema(o.record), 400: errorSchema, 503: errorSchema },
    },
    handler: async (request, reply) => {
      const qs = request.query;
      const q: SeriesQuery = {
        symbol: parseSymbol(qs.symbol),
        timeframe: qs.timeframe,
        limit: qs.limit,
        ...parseRange(qs.from, qs.to),
      };
      if (qs.cursor !== undefined) q.after = decodeCursor(qs.cursor);
      if (qs.model !== undefined) q.model = qs.model;
      const key = [q.symbol, q.timeframe, q.from, q.to, q.limit, qs.cursor, q.model].join('|');
      const body = await cache.get(key, async () => {
        const page = await o.load(q);
        return JSON.stringify({ data: page.rows.map(iso), next: page.next ? encodeCursor(page.next) : null });
      });
      return reply.type('application/json; charset=utf-8').serializer(sendAsIs).send(body);
    },
  });
}
