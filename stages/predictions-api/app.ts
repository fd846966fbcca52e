import { createHash, timingSafeEqual } from 'node:crypto';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import type { ResultQueries } from './queries.ts';
import type { ApiDeps, ApiHealth } from './api-deps.ts';
import { DatabaseError } from '../../pipeline/index.ts';
import { ApiError } from './api-error.ts';
import type { ApiConfig } from './config.ts';
import { candleRoutes } from './routes/candles.ts';
import { predictionErrorRoutes } from './routes/errors.ts';
import { featureRoutes } from './routes/features.ts';
import { healthRoutes } from './routes/health.ts';
import { modelRoutes } from './routes/models.ts';
import { predictionRoutes } from './routes/predictions.ts';
import { symbolRoutes } from './routes/symbols.ts';
import { signalRoutes } from './routes/signals.ts';

export interface BuildAppOptions {
  queries: ResultQueries;
  config: ApiConfig;
  /** prom-client registry for /metrics (the process's; tests pass a fresh one). */
  registry: Registry;
  /** Readiness; defaults to pinging the database. */
  health?: ApiHealth;
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without an API key (health, metrics, docs). */
    public?: boolean;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The predictions API as a Fastify instance, not listening (server.ts listens; tests use inject). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, registry } = options;
  const deps: ApiDeps = {
    queries: options.queries,
    config,
    registry,
    health: options.health ?? { ready: () => options.queries.ping() },
  };
  const app = Fastify({
    logger: options.logger ?? false,
    // Query-string validation errors become 400s naming the parameter.
    schemaErrorFormatter: (errors) => {
      const e = errors[0];
      const missing = (e?.params as { missingProperty?: string } | undefined)?.missingProperty;
      const parameter = missing ?? e?.instancePath.replace(/^\//, '').split('/')[0] ?? 'query';
      const detail = missing
        ? 'is required'
        : e?.keyword === 'enum'
          ? `must be one of ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')}`
          : (e?.message ?? 'is invalid');
      return new ApiError(400, `${parameter}: ${detail}`, parameter);
    },
  });

  const duration =
    (registry.getSingleMetric('candleflow_api_request_duration_seconds') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'candleflow_api_request_duration_seconds',
      help: 'Predictions API request duration by route and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((error: FastifyError | ApiError | DatabaseError, request, reply) => {
    if (error instanceof ApiError) {
      reply.headers(error.headers);
      return reply.code(error.statusCode).send({
        statusCode: error.statusCode,
        error: STATUS_TEXT[error.statusCode] ?? 'Error',
        message: error.message,
        ...(error.parameter ? { parameter: error.parameter } : {}),
      });
    }
    if (error instanceof DatabaseError) {
      request.log.warn({ err: error.message }, 'database unavailable');
      if (error.retriable) {
        reply.header('retry-after', String(config.retryAfterSeconds));
        return reply
          .code(503)
          .send({ statusCode: 503, error: STATUS_TEXT[503], message: 'database unavailable, try again later' });
      }
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ statusCode: status, error: STATUS_TEXT[status] ?? 'Client Error', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ statusCode: 500, error: STATUS_TEXT[500], message: 'internal error' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      statusCode: 404,
      error: STATUS_TEXT[404],
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    });
  });

  await app.register(cors, {
    origin: config.corsOrigin === '*' ? '*' : config.corsOrigin,
    methods: ['GET', 'HEAD', 'OPTIONS'],
  });
  await app.register(compress, { threshold: 1024 });

  if (config.apiKeys.length > 0) {
    const keys = config.apiKeys.map(sha256);
    app.addHook('onRequest', async (request) => {
      // CORS preflights carry no credentials by design; the real request that follows is checked.
      if (request.method === 'OPTIONS' || request.routeOptions.config.public || !request.url.startsWith('/v1/')) return;
      const header = request.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      // Comparing digests in constant time does not reveal how much of a key matched.
      const digest = token ? sha256(token) : undefined;
      if (!digest || !keys.some((k) => timingSafeEqual(k, digest))) {
        throw new ApiError(
          401,
          token ? 'invalid API key' : 'missing API key: send Authorization: Bearer <key>',
          undefined,
          {
            'www-authenticate': 'Bearer realm="candleflow"',
          },
        );
      }
    });
  }

  if (config.rateLimitMax > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitMax,
      timeWindow: 60_000,
      keyGenerator: (request) => request.headers.authorization ?? request.ip,
      errorResponseBuilder: (_request, context) =>
        new ApiError(
          429,
          `rate limit of ${context.max} requests per minute exceeded, retry in ${Math.ceil(context.ttl / 1000)} s`,
        ),
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Candleflow predictions API',
        version: '1',
        description: 'Candles, features, predictions, signals and model error, read from Postgres.',
      },
      ...(config.apiKeys.length > 0
        ? {
            components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
            security: [{ bearer: [] }],
          }
        : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  healthRoutes(app, deps);
  symbolRoutes(app, deps);
  candleRoutes(app, deps);
  featureRoutes(app, deps);
  predictionRoutes(app, deps);
  signalRoutes(app, deps);
  predictionErrorRoutes(app, deps);
  modelRoutes(app, deps);
  await app.ready();
  return app;
}
