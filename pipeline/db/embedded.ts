import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DatabaseError, errorMessage } from '../errors.ts';
import { claimDataDir } from './embedded-owner.ts';

// With no DATABASE_URL the pipeline runs on PGlite (PostgreSQL compiled to WASM, in this process) behind a
// socket server that speaks the PostgreSQL wire protocol on 127.0.0.1. The `pg` driver connects to it like to a
// real server, so there is one code path for both. PGlite is a single session: the socket server queues
// statements of all connections and keeps a transaction's statements together.

export interface EmbeddedPostgres {
  /** postgres:// URL of the socket server. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory of the database files (created if missing), or 'memory://' for a throw-away database. */
  dataDir?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Concurrent client connections accepted; at least the pool size (the server's default of 1 drops the rest). */
  maxConnections?: number;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ?? './data/pg';
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // Before PGlite touches a file: a second process on the same directory is refused, never let in.
  const release = inMemory ? () => {} : claimDataDir(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir);
  } catch (err) {
    release();
    throw new DatabaseError(`embedded PostgreSQL could not open ${dataDir}: ${errorMessage(err)}`, {
      cause: err,
      retriable: false,
    });
  }
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 64,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close().catch(() => {});
    release();
    throw new DatabaseError(`embedded PostgreSQL could not listen: ${errorMessage(err)}`, {
      cause: err,
      retriable: false,
    });
  }
  // Before start() the server reports the requested port (0); after it, the bound one.
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
        await db.close();
      } finally {
        release();
      }
    },
  };
}
