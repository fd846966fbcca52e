import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { topics, type Candle, type Trade } from '../../pipeline/index.ts';
import { input, StageUnderTest } from '../../pipeline/testing/run-stage.ts';
import { runCandlesCommand } from './candles-command.ts';
import { defaultTradeToOhlcConfig, type TradeToOhlcConfig } from './config.ts';
import { createTradeToOhlcStage } from './stage.ts';
import type { SymbolCandleState } from './symbol-candles.ts';

// One record must never stop the pipeline: a trade whose timestamp would make the worker close (and fill)
// millions of windows is dead-lettered with its reason, and the worker carries on with every other symbol.

const T0 = Date.UTC(2024, 2, 1);
const MIN = 60_000;
const DAY = 86_400_000;
const NOW = T0 + 30 * DAY; // the wall clock: a replay of history a month old
const config: TradeToOhlcConfig = { ...defaultTradeToOhlcConfig, timeframes: ['1m', '5m', '1h', '1d'] };

const running: StageUnderTest<SymbolCandleState>[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});
const dir = mkdtempSync(join(tmpdir(), 'poison-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function trade(symbol: string, timestamp: number, id: string, over: Partial<Trade> = {}): Trade {
  return { exchange: 'kraken', symbol, tradeId: id, price: 100, quantity: 1, side: 'buy', timestamp, ...over };
}

/** Two symbols trading once a minute for an hour; `poison` trades of BTC/USD in the middle. */
function stream(poison: Trade[]): Trade[] {
  const out: Trade[] = [];
  for (let m = 0; m < 60; m += 1) {
    out.push(trade('BTC/USD', T0 + m * MIN + 1_000, `b${m}`, { price: 100 + m }));
    out.push(trade('ETH/USD', T0 + m * MIN + 2_000, `e${m}`, { price: 10 + m }));
    if (m === 30) out.push(...poison);
  }
  return out;
}

async function run(trades: Trade[], c: TradeToOhlcConfig = config): Promise<StageUnderTest<SymbolCandleState>> {
  const stage = await new StageUnderTest<SymbolCandleState>(createTradeToOhlcStage(c), { now: () => NOW }).start();
  running.push(stage);
  await stage.send(trades.map((t) => input(topics.trades, t)));
  await stage.flush();
  return stage;
}

const bySymbol = (stage: StageUnderTest, symbol: string): Candle[] =>
  stage
    .values<Candle>(topics.candles)
    .filter((c) => c.symbol === symbol)
    .sort((a, b) => a.timeframe.localeCompare(b.timeframe) || a.start - b.start);

const poisons: [string, Trade, string, RegExp][] = [
  ['the year 2100', trade('BTC/USD', Date.UTC(2100, 0, 1, 12), 'p2100'), 'future', /after 2100-01-01/],
  ['next year, ahead of the wall clock', trade('BTC/USD', NOW + 365 * DAY, 'pnext'), 'future', /wall clock/],
  ['epoch 0', trade('BTC/USD', 0, 'p0'), 'too-old', /before 2009-01-03/],
  ['a week ahead of its stream', trade('BTC/USD', T0 + 7 * DAY, 'pweek'), 'future', /ahead of the symbol's latest/],
  ['a 10,000-character trade id', trade('BTC/USD', T0 + 30 * MIN + 5_000, 'x'.repeat(10_000)), 'too-large', /tradeId/],
];

describe('a poison trade on the real runner', () => {
  it.each(poisons)(
    'dead-letters a trade stamped %s, the worker alive and every symbol unaffected',
    async (_, poison, reason, message) => {
      const clean = await run(stream([]));
      const poisoned = await run(stream([poison]));
      expect(poisoned.failure).toBeUndefined();
      expect(poisoned.deadLetters.map((d) => [d.topic, d.reason])).toEqual([['trades', reason]]);
      expect(poisoned.deadLetters[0]!.message).toMatch(message);
      // Both symbols, the poisoned one too, get exactly the candles of the clean run: no later trade went late.
      expect(bySymbol(poisoned, 'BTC/USD')).toEqual(bySymbol(clean, 'BTC/USD'));
      expect(bySymbol(poisoned, 'ETH/USD')).toEqual(bySymbol(clean, 'ETH/USD'));
      expect(bySymbol(clean, 'BTC/USD').filter((c) => c.timeframe === '1m')).toHaveLength(60);
    },
  );

  it('makes no flat candles across a feed gap longer than OHLC_MAX_GAP_WINDOWS', async () => {
    const gapped = { ...config, maxJumpMs: 30 * DAY, maxGapWindows: 120 };
    const trades = [
      trade('BTC/USD', T0 + 1_000, '1'),
      trade('BTC/USD', T0 + 61_000, '2'), // a minute later: no gap
      trade('BTC/USD', T0 + 3 * MIN + 1_000, '3'), // one empty minute: a flat candle
      trade('BTC/USD', T0 + 10 * DAY + 1_000, '4'), // ten days later: a feed gap
      trade('BTC/USD', T0 + 10 * DAY + MIN + 1_000, '5'),
    ];
    const stage = await run(trades, gapped);
    expect(stage.deadLetters).toEqual([]);
    const candles = bySymbol(stage, 'BTC/USD');
    const oneMinute = candles.filter((c) => c.timeframe === '1m').map((c) => [(c.start - T0) / MIN, c.trades]);
    expect(oneMinute).toEqual([
      [0, 1],
      [1, 1],
      [2, 0],
      [3, 1],
      [14_400, 1],
      [14_401, 1],
    ]);
    // Each longer timeframe: the windows with trades only, none of the empty days or hours in between.
    expect(candles.filter((c) => c.timeframe === '1d').map((c) => (c.start - T0) / DAY)).toEqual([0, 10]);
    expect(candles.filter((c) => c.timeframe === '1h')).toHaveLength(2);
  });
});

describe('candleflow candles with a poison row', () => {
  it('leaves out a trade of the year 2100 and the week-ahead one, and counts the later trades as good', async () => {
    const path = join(dir, 'poison.csv');
    const rows = [
      trade('BTC/USD', T0 + 1_000, '1'),
      trade('BTC/USD', T0 + 30_000, '2'),
      trade('BTC/USD', Date.UTC(2099, 6, 1), '3'),
      trade('BTC/USD', T0 + 7 * DAY, '4'),
      trade('BTC/USD', T0 + 61_000, '5'),
      trade('BTC/USD', T0 + 2 * MIN + 1_000, '6'),
    ];
    const csv = rows.map((t) => `${t.timestamp},XBTUSD,${t.price},${t.quantity},${t.side}`).join('\n');
    writeFileSync(path, `timestamp,symbol,price,quantity,side\n${csv}\n`);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (b: Buffer) => out.push(b));
    stderr.on('data', (b: Buffer) => err.push(b));
    const code = await runCandlesCommand(['--in', path, '--format', 'csv', '--timeframes', '1m'], { stdout, stderr });
    expect(code).toBe(0);
    const candles = Buffer.concat(out).toString('utf8').trim().split('\n');
    expect(candles).toHaveLength(3);
    const text = Buffer.concat(err).toString('utf8');
    expect(text).toContain('6 trades read, 0 duplicates, 0 late, 2 rejected, 3 candles written');
    expect(text).toMatch(/line 4 left out \(future\)/);
    expect(text).toMatch(/line 5 left out \(future\)/);
  });

  it('leaves out a candle row of the year 2099 in a candle file, and rolls the others up', async () => {
    const path = join(dir, 'poison-candles.csv');
    const at = (m: number) => (T0 + m * MIN) / 1000;
    const lines = [at(0), at(1), Date.UTC(2099, 0, 1) / 1000, at(2), at(3)].map((t) => `${t},10,12,9,11,1`);
    writeFileSync(path, `time,open,high,low,close,volume\n${lines.join('\n')}\n`);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (b: Buffer) => out.push(b));
    stderr.on('data', (b: Buffer) => err.push(b));
    const argv = ['--in', path, '--format', 'ohlcv-csv', '--symbol', 'BTC/USD', '--timeframes', '1m,1h'];
    expect(await runCandlesCommand(argv, { stdout, stderr })).toBe(0);
    const candles = Buffer.concat(out).toString('utf8').trim().split('\n');
    expect(candles).toHaveLength(5); // four minutes and their hour
    expect(Buffer.concat(err).toString('utf8')).toMatch(/1 rejected/);
  });
});
