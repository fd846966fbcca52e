import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSentimentCommand } from './sentiment-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'sentiment-command-'));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await runSentimentCommand(argv, { stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

interface Line {
  id: string;
  label: string;
  probabilities: { negative: number; neutral: number; positive: number };
  score: number;
  symbols: string[];
  model: string;
}

describe('candleflow sentiment', () => {
  it('scores JSON lines in file order, in batches, with symbols, and reports bad rows with their line', async () => {
    const file = join(dir, 'news.jsonl');
    writeFileSync(
      file,
      [
        { id: 'up', title: 'Operating profit rose to EUR 13.1 mn from EUR 8.7 mn', publishedAt: 0 },
        {
          id: 'down',
          headline: 'Bitcoin slumps as net sales decreased and XBT miners swung to a loss',
          date: '2024-01-02',
        },
        { title: '', publishedAt: 0 },
        { id: 'sol', title: 'The company is headquartered in Helsinki', publishedAt: 1, symbols: ['SOL/USD'] },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n') + '\nnot json\n',
    );
    const { code, stdout, stderr } = await run(['--in', file, '--batch', '2']);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(lines.map((l) => [l.id, l.label, l.symbols])).toEqual([
      ['up', 'positive', []],
      ['down', 'negative', ['BTC/USD']],
      ['sol', 'neutral', ['SOL/USD']],
    ]);
    for (const l of lines) {
      const p = l.probabilities;
      expect(p.negative + p.neutral + p.positive).toBeCloseTo(1, 5);
      expect(l.score).toBeCloseTo(p.positive - p.negative, 12);
      expect(l.model).toBe('sentiment-ngram@1.0.0');
    }
    expect(stderr).toContain('line 3: no title (or headline) (skipped)');
    expect(stderr).toContain('line 5: not JSON');
    expect(stderr).toContain('2 row(s) skipped');
  });

  it('reads CSV by extension, with a custom symbol dictionary', async () => {
    const file = join(dir, 'news.csv');
    writeFileSync(file, 'headline,published_at\n"Pepe Coin, and bitcoin, rally",2024-01-01T00:00:00Z\n');
    const symbols = join(dir, 'symbols.json');
    writeFileSync(symbols, JSON.stringify({ 'PEPE/USDT': { names: ['pepe coin'], tickers: [] } }));
    const { code, stdout } = await run(['--in', file, '--symbols', symbols]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Line).symbols).toEqual(['PEPE/USDT']);
  });

  it('refuses bad arguments with exit code 2', async () => {
    expect((await run([])).stderr).toContain('missing --in FILE');
    expect((await run(['--in', join(dir, 'absent.jsonl')])).code).toBe(2);
    expect((await run(['--in', 'x', '--format', 'xml'])).stderr).toContain('--format "xml" is not jsonl or csv');
    expect((await run(['--in', 'x', '--batch', '0'])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: candleflow sentiment --in FILE');
  });
});
