import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FeatureVector } from '../../pipeline/index.ts';
import { loadGoldenSeries } from './golden/candle-series.ts';
import { loadGoldenFixture, withinTolerance } from './golden/golden-fixture.ts';
import { featureFields } from './indicator-set.ts';
import { runIndicatorsCommand } from './indicators-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'candleflow-indicators-'));

async function run(argv: string[], stdinText = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await runIndicatorsCommand(argv, { stdin: Readable.from([stdinText]), stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('candleflow indicators', () => {
  it('writes TA-Lib-equal features per candle for interleaved series, each with its own state', async () => {
    const btc = loadGoldenSeries();
    const usdc = btc.map((c) => ({ ...c, symbol: 'BTC/USDC', close: c.close + 1, high: c.high + 1, low: c.low + 1 }));
    const lines = btc.flatMap((c, i) => [JSON.stringify(c), JSON.stringify(usdc[i])]);
    const path = file('candles.jsonl', `${lines.join('\n')}\n`);

    const { code, stdout, stderr } = await run(['--in', path]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const vectors = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FeatureVector);
    expect(vectors).toHaveLength(2 * btc.length);
    for (const v of vectors) {
      expect(Object.keys(v)).toEqual(expect.arrayContaining(['symbol', 'timeframe', 'start', ...featureFields]));
    }
    const fixture = loadGoldenFixture();
    const ofBtc = vectors.filter((v) => v.symbol === 'BTC/USDT');
    expect(ofBtc.map((v) => v.start)).toEqual(btc.map((c) => c.start));
    const bad = featureFields.flatMap((f) =>
      ofBtc.filter((v, i) => !withinTolerance(v[f], fixture.fields[f][i] ?? null)).map((v) => `${f}@${v.start}`),
    );
    expect(bad.slice(0, 5)).toEqual([]);
    // The second series has its own state: shifted prices move the SMA by exactly the shift.
    const ofUsdc = vectors.filter((v) => v.symbol === 'BTC/USDC');
    expect(ofUsdc[100]?.sma20).toBeCloseTo((ofBtc[100]?.sma20 ?? 0) + 1, 8);
  });

  it('reads stdin with --in - and accepts candles without the nullable fields', async () => {
    const candles = loadGoldenSeries()
      .slice(0, 30)
      .map(({ quoteVolume: _q, vwap: _v, trades: _t, buyVolume: _b, final: _f, ...c }) => c);
    const { code, stdout } = await run(['--in', '-'], `${candles.map((c) => JSON.stringify(c)).join('\n')}\n`);
    expect(code).toBe(0);
    const vectors = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FeatureVector);
    expect(vectors).toHaveLength(30);
    expect(vectors[19]?.sma20).not.toBeNull();
    expect(vectors[18]?.sma20).toBeNull();
  });

  it('reads a gzipped candle file', async () => {
    const candles = loadGoldenSeries().slice(0, 40);
    const path = join(dir, 'candles.jsonl.gz');
    writeFileSync(path, gzipSync(candles.map((c) => JSON.stringify(c)).join('\n')));
    const { code, stdout } = await run(['--in', path]);
    expect(code).toBe(0);
    const vectors = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FeatureVector);
    expect(vectors.map((v) => v.start)).toEqual(candles.map((c) => c.start));
    expect(vectors[39]?.macd).not.toBeNull();
  });

  it('prints help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--in FILE');
  });

  it('exits 2 naming the argument for bad arguments', async () => {
    const unknown = await run(['--input', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--input');
    const missing = await run([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--in');
    const absent = await run(['--in', join(dir, 'no-such-file.jsonl')]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain('no-such-file.jsonl');
  });

  it('exits 1 with the line number of a bad line', async () => {
    const [first, second] = loadGoldenSeries();
    const notJson = await run(['--in', file('bad.jsonl', `${JSON.stringify(first)}\n{oops\n`)]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('line 2');
    const badField = await run(['--in', file('bad-field.jsonl', `${JSON.stringify({ ...first, close: 'x' })}\n`)]);
    expect(badField.code).toBe(1);
    expect(badField.stderr).toMatch(/line 1: close/);
    const late = await run(['--in', file('late.jsonl', [second, first].map((c) => JSON.stringify(c)).join('\n'))]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('line 2');
    expect(late.stderr).toContain('older than');
    const corrupt = await run(['--in', file('corrupt.jsonl.gz', 'not gzip\n')]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain('corrupt.jsonl.gz');
  });

  it('reads a plain OHLCV CSV (ISO or epoch-second times) into the same features as the JSON candles', async () => {
    const candles = loadGoldenSeries().slice(0, 150);
    const json = await run(['--in', file('golden.jsonl', `${candles.map((c) => JSON.stringify(c)).join('\n')}\n`)]);
    const iso = candles.map(
      (c) => `${new Date(c.start).toISOString()},${c.open},${c.high},${c.low},${c.close},${c.volume}`,
    );
    const isoPath = file('golden.csv', `open_time,open,high,low,close,volume\n${iso.join('\n')}\n`);
    const learned = await run(['--in', isoPath, '--format', 'ohlcv-csv', '--symbol', candles[0]!.symbol]);
    expect(learned.stderr).toBe('');
    expect(learned.code).toBe(0);
    expect(learned.stdout).toEqual(json.stdout);
    const secs = candles.map(
      (c) => `${c.symbol},${c.start / 1000},${c.open},${c.high},${c.low},${c.close},${c.volume}`,
    );
    const secsPath = file('golden-s.csv.gz', '');
    writeFileSync(secsPath, gzipSync(`symbol,time,open,high,low,close,volume\n${secs.join('\n')}\n`));
    const given = await run(['--in', secsPath, '--format', 'ohlcv-csv', '--timeframe', candles[0]!.timeframe]);
    expect(given.stdout).toEqual(json.stdout);
    expect((await run(['--in', isoPath, '--format', 'ohlcv-csv'])).stderr).toMatch(/give --symbol/);
    expect((await run(['--in', isoPath, '--format', 'xml'])).code).toBe(2);
  });
});
