import { describe, expect, it } from 'vitest';
import { parseApiConfig } from './config.ts';

describe('parseApiConfig', () => {
  it('has working defaults', () => {
    expect(parseApiConfig({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      apiKeys: [],
      rateLimitMax: 600,
      corsOrigin: '*',
      latestCacheMs: 1000,
      listCacheMs: 1000,
      maxLimit: 1000,
      retryAfterSeconds: 5,
    });
  });

  it('reads keys and origins as comma lists', () => {
    const c = parseApiConfig({
      API_KEYS: ' aaaaaaaaaaaaaaaa , bbbbbbbbbbbbbbbb',
      CORS_ORIGIN: 'https://a.example, http://localhost:5173',
    });
    expect(c.apiKeys).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    expect(c.corsOrigin).toEqual(['https://a.example', 'http://localhost:5173']);
  });

  it.each([
    [{ PORT: 'http' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ RATE_LIMIT_MAX: '-1' }, 'RATE_LIMIT_MAX'],
    [{ API_KEYS: 'short' }, 'API_KEYS'],
    [{ CORS_ORIGIN: 'example.com' }, 'CORS_ORIGIN'],
    [{ MAX_LIMIT: '0' }, 'MAX_LIMIT'],
    [{ LATEST_CACHE_MS: '1.5' }, 'LATEST_CACHE_MS'],
  ])('%o fails naming %s', (env, variable) => {
    expect(() => parseApiConfig(env)).toThrow(expect.objectContaining({ code: 'CF_ERR_CONFIG', variable }));
  });
});
