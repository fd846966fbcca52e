import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { examples, featureVectors } from './dataset.ts';
import { KRAKEN_HOURLY_FILE, krakenHourlySpans, loadKrakenHourly } from './kraken-hourly.ts';

const raw = gunzipSync(readFileSync(KRAKEN_HOURLY_FILE))
  .toString('utf8')
  .trim()
  .split('\n')
  .map((l) => l.split(',').map(Number));
const candles = loadKrakenHourly();

describe('Kraken hourly candles', () => {
  it('keeps every published hour unchanged and fills the missing ones flat, volume 0', () => {
    const hours = (raw[raw.length - 1]![0]! - raw[0]![0]!) / 3600 + 1;
    expect(candles.length).toBe(hours);
    expect(candles.length).toBeGreaterThan(raw.length);
    const byStart = new Map(candles.map((c) => [c.start, c]));
    for (const [t, open, high, low, close, volume, trades] of raw) {
      expect(byStart.get(t! * 1000)).toMatchObject({
        symbol: 'BTC/USD',
        timeframe: '1h',
        open,
        high,
        low,
        close,
        volume,
        trades,
      });
    }
    const published = new Set(raw.map((r) => r[0]! * 1000));
    candles.forEach((c, i) => {
      if (i > 0) expect(c.start - candles[i - 1]!.start).toBe(3_600_000);
      if (!published.has(c.start)) {
        const previous = candles[i - 1]!.close;
        expect(c).toMatchObject({
          open: previous,
          high: previous,
          low: previous,
          close: previous,
          volume: 0,
          trades: 0,
        });
      }
    });
  });

  it('splits by time with no example whose target crosses a span boundary', () => {
    const head = candles.slice(0, 30_000);
    const set = examples(head, featureVectors(head), ['logReturn'], 1, 24, 'train', krakenHourlySpans);
    expect(set.length).toBeGreaterThan(20_000);
    for (const e of set) {
      expect(e.featureTime).toBeGreaterThanOrEqual(krakenHourlySpans.train.from);
      expect(e.targetTime).toBeLessThan(krakenHourlySpans.train.to);
      expect(e.targetTime - e.featureTime).toBe(24 * 3_600_000);
    }
  });
});
