import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LateRecordError, type Candle, type Timeframe } from '../../pipeline/index.ts';
import { krakenOhlcvtFormat, csvFormat, type CandleRow } from '../../market/files/formats.ts';
import { readLines } from '../../market/files/line-reader.ts';
import { applyCandle, flushRollup, initialRollupState } from './candle-rollup.ts';
import { defaultTradeToOhlcConfig } from './config.ts';
import { applyTrade, flushAll, initialSymbolState } from './symbol-candles.ts';

// Real exchange data (provenance: test/fixtures/README.md): our candles must be the exchange's own.

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));

async function krakenRows(name: string): Promise<CandleRow[]> {
  const parse = krakenOhlcvtFormat.parser({ symbol: 'BTC/USD', exchange: 'kraken' });
  const rows: CandleRow[] = [];
  for await (const { line, lineNumber } of readLines(fixture(name))) {
    const row = parse(line, lineNumber);
    if (row) rows.push(row);
  }
  return rows;
}

async function rollUp(name: string, from: Timeframe, fromMs: number, to: Timeframe): Promise<Candle[]> {
  const config = { timeframes: [to], gaps: 'omit' as const };
  const state = initialRollupState('BTC/USD');
  const out: Candle[] = [];
  for (const { lengthMs: _, ...row } of await krakenRows(name)) {
    applyCandle(state, { ...row, timeframe: from, end: row.start + fromMs, final: true }, config, out);
  }
  flushRollup(state, config, out);
  return out;
}

function expectSameCandles(ours: Candle[], theirs: CandleRow[]): void {
  expect(ours.length).toBe(theirs.length);
  let mismatches = 0;
  ours.forEach((c, i) => {
    const k = theirs[i]!;
    const same =
      c.start === k.start &&
      c.open === k.open &&
      c.high === k.high &&
      c.low === k.low &&
      c.close === k.close &&
      Math.abs(c.volume - k.volume) < 1e-8 &&
      c.trades === k.trades;
    if (!same) mismatches += 1;
  });
  expect(mismatches).toBe(0);
}

describe('Kraken real data', () => {
  it("aggregates the trades of 2019-07-01 00h into exactly Kraken's own hourly candle", async () => {
    const parse = csvFormat.parser({ symbol: null, exchange: 'kraken' });
    const config = { ...defaultTradeToOhlcConfig, timeframes: ['1m', '1h'] as Timeframe[] };
    const state = initialSymbolState('BTC/USD');
    const out: Candle[] = [];
    let rows = 0;
    for await (const { line, lineNumber } of readLines(fixture('trades/kraken_XBTUSD_20190701_00h_generic.csv'))) {
      const trade = parse(line, lineNumber);
      if (!trade) continue;
      rows += 1;
      try {
        applyTrade(state, trade, config, out);
      } catch (err) {
        if (err instanceof LateRecordError)
          throw new Error(`unexpected late trade on line ${lineNumber}`, { cause: err });
        throw err;
      }
    }
    flushAll(state, config, out);
    const [kraken] = await krakenRows('ohlcv/kraken_XBTUSD_60m_20190701_00h.csv');
    const hour = out.filter((c) => c.timeframe === '1h');
    expect(rows).toBe(2672);
    expect(state.counts.duplicates).toBe(1);
    expect(hour).toHaveLength(1);
    const c = hour[0]!;
    expect([c.symbol, c.start, c.end]).toEqual(['BTC/USD', Date.UTC(2019, 6, 1), Date.UTC(2019, 6, 1, 1)]);
    expect([c.open, c.high, c.low, c.close, c.trades]).toEqual([10749.4, 11041.8, 10600.0, 11014.3, 2671]);
    expect([kraken!.open, kraken!.high, kraken!.low, kraken!.close, kraken!.trades]).toEqual([
      c.open,
      c.high,
      c.low,
      c.close,
      c.trades,
    ]);
    expect(Math.abs(c.volume - 903.65604099)).toBeLessThan(1e-8);
    // The minutes add up to the hour.
    const minutes = out.filter((m) => m.timeframe === '1m' && m.trades! > 0);
    expect(minutes.reduce((s, m) => s + m.trades!, 0)).toBe(2671);
  });

  it("rolls Kraken's 1m XBTUSDC 2023Q1 candles up to exactly its own 5m file", async () => {
    const ours = await rollUp('ohlcv/kraken_XBTUSDC_1m_2023Q1.csv.gz', '1m', 60_000, '5m');
    const theirs = await krakenRows('ohlcv/kraken_XBTUSDC_5m_2023Q1.csv.gz');
    expect(theirs.length).toBe(22_893);
    expectSameCandles(ours, theirs);
  });

  it("rolls Kraken's 5m XBTUSD 2023Q1 candles up to exactly its own 15m file", async () => {
    const ours = await rollUp('ohlcv/kraken_XBTUSD_5m_2023Q1.csv.gz', '5m', 300_000, '15m');
    const theirs = await krakenRows('ohlcv/kraken_XBTUSD_15m_2023Q1.csv.gz');
    expect(theirs.length).toBe(8_635);
    expectSameCandles(ours, theirs);
  });
});
