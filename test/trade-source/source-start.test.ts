import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCandleflow } from '../support/cli-process.ts';

// Ready means working: a source that cannot open its input at start is a bad setting, reported as one line that
// names it, exit 2, before anything reports ready.

const dataDir = mkdtempSync(join(tmpdir(), 'source-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('candleflow dev with a source file that does not exist', () => {
  it('stops at once with one line naming SOURCE and exit code 2', async () => {
    const r = await runCandleflow(['dev'], { SOURCE: 'file:csv:nope.csv', DATA_DIR: dataDir, PORT: '0' });
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/SOURCE .*nope\.csv.*ENOENT/);
    expect(r.stdout).not.toMatch(/ready/);
  }, 60_000);
});
