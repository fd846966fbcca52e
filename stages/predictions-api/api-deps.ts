import type { Registry } from 'prom-client';
import type { ResultQueries } from './queries.ts';
import type { ApiConfig } from './config.ts';

// What every route module gets from the app; a module of its own so routes and app.ts do not import each other.

export interface ApiHealth {
  /** Resolves when the API can answer (its database is reachable); rejects with the reason otherwise. */
  ready(): Promise<void>;
}

export interface ApiDeps {
  queries: ResultQueries;
  config: ApiConfig;
  registry: Registry;
  health: ApiHealth;
}
