import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCandlesCommand } from './candles-command.ts';

const tradesFile = fileURLToPath(
  new URL('../../test/fixtures/trades/kraken_XBTUSD_20190701_00h_generic.csv', import.meta.url),
);
const datasetFile = fileURLToPath(
  new URL('../../models/dataset/binanceus_BTCUSDT_1m_20230301_20230321.csv.gz', import.meta.url),
);
const kraken1m = fileURLToPath(new URL('../../test/fixtures/ohlcv/kraken_XBTUSDC_1m_2023Q1.csv.gz', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'candles-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  candles: Record<string, unknown>[];
  stderr: string;
}

async function candles(...argv: string[]): Promise<Result> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await runCandlesCommand(argv, { stdout, stderr });
  const text = Buffer.concat(out).toString('utf8');
  const lines = text.split('\n').filter((l) => l.startsWith('{'));
  return {
    code,
    candles: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

const krakenHour = {
  symbol: 'BTC/USD',
  timeframe: '1h',
  start: Date.UTC(2019, 6, 1),
  end: Date.UTC(2019, 6, 1, 1),
  open: 10749.4,
  high: 11041.8,
  low: 10600,
  close: 11014.3,
  trades: 2671,
};

/** The real Kraken trades rewritten in a Binance dump layout; the duplicated row keeps its twin's id. */
function asBinance(kind: 'aggtrades' | 'trades', header: boolean): string {
  const rows = readFileSync(tradesFile, 'utf8').trim().split(/\r?\n/).slice(1);
  const ids = new Map<string, number>();
  const lines = rows.map((row, i) => {
    const [timestamp, , price, quantity, side] = row.split(',');
    const id = ids.get(row) ?? 1000 + i;
    ids.set(row, id);
    const buyerMaker = side === 'sell';
    return kind === 'aggtrades'
      ? `${id},${price},${quantity},${id},${id},${timestamp},${buyerMaker},true`
      : `${id},${price},${quantity},${Number(price) * Number(quantity)},${timestamp},${buyerMaker},true`;
  });
  const head =
    kind === 'aggtrades'
      ? 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match'
      : 'id,price,qty,quote_qty,time,is_buyer_maker,is_best_match';
  const path = join(dir, `BTCUSD-${kind}-2019-07-01${header ? '-h' : ''}.csv`);
  writeFileSync(path, `${header ? `${head}\n` : ''}${lines.join('\n')}\n`);
  return path;
}

describe('candleflow candles', () => {
  it("turns the csv trades into Kraken's hourly candle and reports what it read", async () => {
    const r = await candles('--in', tradesFile, '--format', 'csv', '--timeframes', '1m,1h');
    expect(r.code).toBe(0);
    const hour = r.candles.filter((c) => c.timeframe === '1h');
    expect(hour).toHaveLength(1);
    expect(hour[0]).toMatchObject(krakenHour);
    expect(Math.abs((hour[0]!.volume as number) - 903.65604099)).toBeLessThan(1e-8);
    expect(Object.keys(hour[0]!)).toEqual([
      'symbol',
      'timeframe',
      'start',
      'end',
      'open',
      'high',
      'low',
      'close',
      'volume',
      'quoteVolume',
      'vwap',
      'trades',
      'buyVolume',
    ]);
    expect(r.candles.filter((c) => c.timeframe === '1m')).toHaveLength(60);
    expect(r.stderr).toContain('2672 trades read, 1 duplicates, 0 late, 0 rejected, 61 candles written');
  });

  it('gives the same candles from the Binance dump layouts, with and without header', async () => {
    const reference = (await candles('--in', tradesFile, '--format', 'csv', '--timeframes', '5m,1h')).candles;
    for (const kind of ['aggtrades', 'trades'] as const) {
      for (const header of [true, false]) {
        const r = await candles(
          '--in',
          asBinance(kind, header),
          '--format',
          `binance-${kind}`,
          '--timeframes',
          '5m,1h',
        );
        expect(r.code).toBe(0);
        expect(r.candles).toEqual(reference);
      }
    }
  });

  it("rolls Kraken OHLCVT candles up, learning their timeframe from the file, the --symbol unified like a file's", async () => {
    const r = await candles(
      '--in',
      kraken1m,
      '--format',
      'kraken-ohlcvt',
      '--symbol',
      'XBTUSDC',
      '--timeframes',
      '5m',
      '--gaps',
      'omit',
    );
    expect(r.code).toBe(0);
    expect(r.candles).toHaveLength(22_893);
    expect(r.candles[0]).toMatchObject({
      symbol: 'BTC/USDC',
      timeframe: '5m',
      start: 1672531200000,
      open: 16535.97,
      close: 16522.66,
      trades: 2,
      quoteVolume: null,
    });
    expect(r.stderr).toContain('56717 candles read');
  });

  it('rolls Binance klines up to the same hour the trades give', async () => {
    const minutes = (await candles('--in', tradesFile, '--format', 'csv', '--timeframes', '1m')).candles;
    const klines = minutes.map((m) =>
      [
        m.start,
        m.open,
        m.high,
        m.low,
        m.close,
        m.volume,
        (m.end as number) - 1,
        m.quoteVolume,
        m.trades,
        m.buyVolume,
        0,
        0,
      ].join(','),
    );
    const path = join(dir, 'BTCUSD-1m-2019-07-01.csv');
    writeFileSync(path, `${klines.join('\n')}\n`);
    const r = await candles('--in', path, '--format', 'binance-klines', '--timeframes', '1h');
    expect(r.code).toBe(0);
    expect(r.candles).toHaveLength(1);
    expect(r.candles[0]).toMatchObject(krakenHour);
    expect(Math.abs((r.candles[0]!.volume as number) - 903.65604099)).toBeLessThan(1e-8);
  });

  it('names a bad argument and exits 2', async () => {
    for (const [argv, named] of [
      [['--format', 'csv'], '--in'],
      [['--in', tradesFile, '--format', 'excel'], '--format'],
      [['--in', tradesFile, '--format', 'csv', '--timeframes', '7m'], '--timeframes'],
      [['--in', tradesFile, '--format', 'csv', '--grace', 'soon'], '--grace'],
      [['--in', tradesFile, '--format', 'csv', '--gaps', 'fill'], '--gaps'],
      [['--in', tradesFile, '--format', 'csv', '--frobnicate'], '--frobnicate'],
    ] as const) {
      const r = await candles(...argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(named);
    }
  });

  it('reports a bad line with its number and exits 1', async () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(
      path,
      'timestamp,symbol,price,quantity,side\n1561939203172,XBTUSD,10749.4,0.004,sell\n1561939205224,XBTUSD,abc,0.1,buy\n',
    );
    const r = await candles('--in', path, '--format', 'csv');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 3: price "abc" is not a number/);
  });

  it('prints its usage with --help', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (b: Buffer) => {
      text += b.toString();
    });
    expect(await runCandlesCommand(['--help'], { stdout, stderr: new PassThrough() })).toBe(0);
    expect(text).toContain('--keep-repeats');
  });

  it('reads a plain OHLCV CSV (the models dataset file) and rolls it up into the hours its rows make', async () => {
    const r = await candles(
      '--in',
      datasetFile,
      '--format',
      'ohlcv-csv',
      '--symbol',
      'BTCUSDT',
      '--timeframes',
      '1m,1h',
    );
    expect(r.code).toBe(0);
    const rows = gunzipSync(readFileSync(datasetFile))
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .map(([t, o, h, l, c, v]) => ({ start: Date.parse(t!), o: +o!, h: +h!, l: +l!, c: +c!, v: +v! }));
    const minutes = r.candles.filter((c) => c.timeframe === '1m');
    expect(minutes).toHaveLength(rows.length);
    expect(minutes[0]).toMatchObject({
      symbol: 'BTC/USDT',
      start: rows[0]!.start,
      open: rows[0]!.o,
      close: rows[0]!.c,
    });
    // Each hour from the rows by hand: first open, highest high, lowest low, last close, summed volume; rows
    // of volume 0 are the exchange's flat filler, which only moves time on.
    const hours = r.candles.filter((c) => c.timeframe === '1h');
    expect(hours).toHaveLength(rows.length / 60);
    for (const [i, hour] of hours.entries()) {
      const part = rows.slice(i * 60, i * 60 + 60).filter((p) => p.v > 0);
      if (part.length === 0) continue;
      expect(hour).toMatchObject({
        start: rows[i * 60]!.start,
        open: part[0]!.o,
        high: Math.max(...part.map((p) => p.h)),
        low: Math.min(...part.map((p) => p.l)),
        close: part.at(-1)!.c,
      });
      expect(hour.volume as number).toBeCloseTo(
        part.reduce((s, p) => s + p.v, 0),
        6,
      );
    }
  });
});
