import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCandleflow, spawnCandleflow, waitForLine } from './support/cli-process.ts';

// The embedded database under DATA_DIR has one owner: `candleflow models ...` run next to a live `candleflow dev`
// on the same DATA_DIR is refused with one line naming dev's pid (before, it opened the files too and the two
// processes overwrote each other's pages), and works again once dev has stopped. A crash's leftover is taken over.

describe('one owner of the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cf-owner-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, PORT: '0', METRICS_PORT: '0' };

  it('refuses a second process on the same DATA_DIR, naming the owner, until the owner stops', async () => {
    const dev = spawnCandleflow(['dev'], env);
    try {
      await waitForLine(dev, /candleflow dev ready on/, 90_000);
      for (const args of [['models', 'list'], ['models', 'activate', 'gru-h5@1.0.0'], ['dev']]) {
        const second = await runCandleflow(args, env);
        expect(second.code).toBe(1);
        const lines = second.stderr.trimEnd().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(`^candleflow ${args[0]}: the embedded database in .* is in use by process ${dev.pid} `),
        );
      }
    } finally {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      dev.kill('SIGINT');
      await exited;
    }
    expect(existsSync(join(dataDir, 'pg.owner'))).toBe(false);
    const after = await runCandleflow(['models', 'activate', 'gru-h5@1.0.0'], env);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    const list = await runCandleflow(['models', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^\* .*gru-h5@1\.0\.0/m);
  }, 180_000);

  it('takes over the owner file of a process that no longer runs', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'pg.owner'), JSON.stringify({ pid: gone, since: '2026-01-01T00:00:00.000Z' }));
    const list = await runCandleflow(['models', 'list'], env);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(existsSync(join(dataDir, 'pg.owner'))).toBe(false);
  }, 60_000);
});
