import { ConfigError, readInt } from '../../pipeline/index.ts';

export interface ApiConfig {
  port: number;
  host: string;
  /** Bearer tokens accepted on /v1; empty means the API is open. */
  apiKeys: string[];
  /** Requests per minute per client (API key, else IP) on /v1; 0 turns rate limiting off. */
  rateLimitMax: number;
  /** Access-Control-Allow-Origin: '*' or a comma list of origins. */
  corsOrigin: string | string[];
  /** How long /v1/predictions/latest and /v1/symbols answers are reused, ms; 0 disables the cache. */
  latestCacheMs: number;
  /** How long an answer of a list route (candles, features, ...) is reused for the same query, ms; 0 disables it. */
  listCacheMs: number;
  /** Largest `limit` a list route accepts. */
  maxLimit: number;
  /** Retry-After seconds sent with 503 when the database is unavailable. */
  retryAfterSeconds: number;
}

/** Reads PORT, HOST, API_KEYS, RATE_LIMIT_MAX, CORS_ORIGIN, LATEST_CACHE_MS, LIST_CACHE_MS, MAX_LIMIT, RETRY_AFTER_SECONDS. */
export function parseApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const apiKeys = (env.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  for (const key of apiKeys) {
    if (key.length < 16) throw new ConfigError('API_KEYS', 'holds a key shorter than 16 characters');
    if (!/^[\x21-\x7e]+$/.test(key))
      throw new ConfigError('API_KEYS', 'holds a key with spaces or non-ASCII characters');
  }
  const origins = (env.CORS_ORIGIN ?? '*')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGIN',
        `must be * or a comma list of origins like https://example.com, got "${origin}"`,
      );
    }
  }
  return {
    port: readInt(env, 'PORT', 3000, { min: 0, max: 65_535 }),
    host: env.HOST?.trim() || '0.0.0.0',
    apiKeys,
    rateLimitMax: readInt(env, 'RATE_LIMIT_MAX', 600, { min: 0 }),
    corsOrigin: origins.length === 0 || origins.includes('*') ? '*' : origins,
    latestCacheMs: readInt(env, 'LATEST_CACHE_MS', 1_000, { min: 0, max: 60_000 }),
    listCacheMs: readInt(env, 'LIST_CACHE_MS', 1_000, { min: 0, max: 60_000 }),
    maxLimit: readInt(env, 'MAX_LIMIT', 1_000, { min: 1, max: 10_000 }),
    retryAfterSeconds: readInt(env, 'RETRY_AFTER_SECONDS', 5, { min: 1, max: 3_600 }),
  };
}
