import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Candle } from '../../../pipeline/index.ts';

// Reads a Binance-style OHLCV CSV (`open_time,open,high,low,close,volume`, optionally gzipped) into candles.

export function parseOhlcvCsv(text: string, symbol: string, timeframe: string, timeframeMs: number): Candle[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const candles: Candle[] = [];
  for (const line of lines.slice(1)) {
    const [openTime, open, high, low, close, volume] = line.split(',');
    const start = Date.parse((openTime ?? '').replace(' ', 'T'));
    candles.push({
      symbol,
      timeframe,
      start,
      end: start + timeframeMs,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
      quoteVolume: null,
      vwap: null,
      trades: null,
      buyVolume: null,
      final: true,
    });
  }
  return candles;
}

export const GOLDEN_SERIES_FILE = new URL('./binanceus_BTCUSDT_1m_first5000.csv.gz', import.meta.url);

/** The committed golden input: the first 5,000 BTC/USDT 1m candles of Binance.US from 2023-03-01. */
export function loadGoldenSeries(): Candle[] {
  const text = gunzipSync(readFileSync(GOLDEN_SERIES_FILE)).toString('utf8');
  return parseOhlcvCsv(text, 'BTC/USDT', '1m', 60_000);
}
