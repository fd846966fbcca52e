import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { InputError, type Candle } from '../../pipeline/index.ts';
import type { Spans } from './dataset.ts';

// Kraken's hourly BTC/USD candles 2016-01 to 2020-09 (see README.md), for the 1h volatility model. Kraken's
// files omit hours without trades; they are filled flat at the previous close with volume 0, as trade-to-ohlc
// does with OHLC_GAPS=flat and as the Binance.US file already is.

export const KRAKEN_HOURLY_FILE = fileURLToPath(
  new URL('./kraken_XBTUSD_60m_20160101_20200930.csv.gz', import.meta.url),
);
export const KRAKEN_SYMBOL = 'BTC/USD';
const HOUR = 3_600_000;

/** Strict time split by feature time, [from, to) in epoch ms; an example belongs to a span only if its target does too. */
export const krakenHourlySpans: Spans = {
  train: { from: Date.UTC(2016, 0, 1), to: Date.UTC(2019, 0, 1) },
  validation: { from: Date.UTC(2019, 0, 1), to: Date.UTC(2020, 0, 1) },
  test: { from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 9, 1) },
};

function candle(
  start: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  trades: number,
): Candle {
  return {
    symbol: KRAKEN_SYMBOL,
    timeframe: '1h',
    start,
    end: start + HOUR,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume: null,
    vwap: null,
    trades,
    buyVolume: null,
    final: true,
  };
}

/** Parses Kraken's OHLCVT rows (`unix_s,open,high,low,close,volume,trades`, no header) into 1h Candles, gaps filled flat. */
export function loadKrakenHourly(file: string = KRAKEN_HOURLY_FILE): Candle[] {
  const candles: Candle[] = [];
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [time, open, high, low, close, volume, trades] = line.split(',').map(Number) as number[];
    const start = time! * 1000;
    const last = candles[candles.length - 1];
    if (last && start <= last.start) throw new InputError(`${file}: hour ${start} not after ${last.start}`);
    if (last)
      for (let t = last.start + HOUR; t < start; t += HOUR)
        candles.push(candle(t, last.close, last.close, last.close, last.close, 0, 0));
    candles.push(candle(start, open!, high!, low!, close!, volume!, trades!));
  }
  return candles;
}
