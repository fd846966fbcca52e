import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseError } from '../errors.ts';

// PGlite is PostgreSQL in this process: two processes opening one data directory each write their own pages
// over the other's (a read-only `models list` next to `dev` lost 51 of 83 candles). So a data directory has one
// owner, recorded in `<dataDir>.owner` ({ pid, since }), taken with an exclusive create. A file whose pid is no
// longer alive was left by a crash and is taken over.

interface Owner {
  pid: number;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' ? { pid: owner.pid, since: String(owner.since) } : undefined;
  } catch {
    return undefined; // unreadable or half-written: nobody holds it
  }
}

/** Claims `dataDir` for this process; the returned function gives it back. Throws when another one holds it. */
export function claimDataDir(dataDir: string): () => void {
  const file = `${dataDir.replace(/\/+$/, '')}.owner`;
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(file);
      if (owner && alive(owner.pid)) {
        const who = owner.pid === process.pid ? 'this process' : `process ${owner.pid}`;
        throw new DatabaseError(
          `the embedded database in ${dataDir} is in use by ${who} (since ${owner.since}); stop it first, or give both DATABASE_URL of a PostgreSQL server`,
          { retriable: false },
        );
      }
      rmSync(file, { force: true });
    }
  }
  return () => {
    if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
  };
}
