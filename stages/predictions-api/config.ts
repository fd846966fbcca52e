import { ConfigError, defineConfig, settings } from '../../pipeline/index.ts';

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

export const apiConfig = defineConfig(
  {
    port: settings.int('PORT', { default: 3000, min: 0, max: 65_535, doc: 'HTTP port of the API' }),
    host: settings.text('HOST', { default: '0.0.0.0', doc: 'address the API listens on' }),
    apiKeys: settings.list('API_KEYS', {
      default: [],
      defaultText: 'unset',
      doc: 'comma list of bearer tokens (16+ characters) required on `/v1`; unset: open',
      item: (key) => {
        if (key.length < 16) throw new Error('holds a key shorter than 16 characters');
        if (!/^[\x21-\x7e]+$/.test(key)) throw new Error('holds a key with spaces or non-ASCII characters');
        return key;
      },
    }),
    rateLimitMax: settings.int('RATE_LIMIT_MAX', {
      default: 600,
      min: 0,
      doc: 'requests per minute per client on `/v1`; `0` turns it off',
    }),
    corsOrigin: settings.list('CORS_ORIGIN', {
      default: ['*'],
      doc: '`*` or a comma list of origins',
      item: (origin) => {
        if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
          throw new ConfigError(
            'CORS_ORIGIN',
            `must be * or a comma list of origins like https://example.com, got "${origin}"`,
          );
        }
        return origin;
      },
    }),
    latestCacheMs: settings.int('LATEST_CACHE_MS', {
      default: 1_000,
      min: 0,
      max: 60_000,
      doc: 'how long `/latest`/`/symbols` answers are reused; `0` disables',
    }),
    listCacheMs: settings.int('LIST_CACHE_MS', {
      default: 1_000,
      min: 0,
      max: 60_000,
      doc: 'how long list answers are reused; `0` disables',
    }),
    maxLimit: settings.int('MAX_LIMIT', { default: 1_000, min: 1, max: 10_000, doc: 'largest `limit` accepted' }),
    retryAfterSeconds: settings.int('RETRY_AFTER_SECONDS', {
      default: 5,
      min: 1,
      max: 3_600,
      doc: '`Retry-After` sent with 503 when the database is down',
    }),
  },
  (v): ApiConfig => ({
    ...v,
    apiKeys: [...v.apiKeys],
    corsOrigin: v.corsOrigin.includes('*') ? '*' : [...v.corsOrigin],
  }),
);

/** Reads PORT, HOST, API_KEYS, RATE_LIMIT_MAX, CORS_ORIGIN, LATEST_CACHE_MS, LIST_CACHE_MS, MAX_LIMIT, RETRY_AFTER_SECONDS. */
export function parseApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  return apiConfig.compile(env);
}
