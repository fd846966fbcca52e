import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError, type Candle, type Output, type SourceContext, type Trade } from '../../pipeline/index.ts';
import { defaultTradeToOhlcConfig } from '../../stages/trade-to-ohlc/config.ts';
import { applyTrade, flushAll, initialSymbolState } from '../../stages/trade-to-ohlc/symbol-candles.ts';
import { createTradeSource } from '../../stages/trade-source/source.ts';
import { parseTradeSourceConfig } from '../../stages/trade-source/source-config.ts';

// The file source over a plain OHLCV CSV: its candles are replayed as trades from which trade-to-ohlc rebuilds
// exactly the file's candles (open, high, low, close; volume to float rounding), and every longer timeframe.

const dir = mkdtempSync(join(tmpdir(), 'candle-trades-'));
const T0 = Date.UTC(2023, 2, 1);

async function replay(env: Record<string, string>): Promise<Trade[]> {
  const trades: Trade[] = [];
  const ctx: SourceContext = {
    async emit(outputs: readonly Output[]) {
      for (const o of outputs) if (!o.headers) trades.push(o.value as Trade);
    },
    signal: new AbortController().signal,
    now: () => Date.now(),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    setReady() {},
  };
  await createTradeSource(parseTradeSourceConfig(env)).run(ctx);
  return trades;
}

describe('SOURCE=file:ohlcv-csv', () => {
  it("replays a candle file as trades that rebuild the file's candles exactly", async () => {
    const rows = Array.from({ length: 150 }, (_, m) => {
      const open = 100 + Math.sin(m) * 5;
      const close = 100 + Math.sin(m + 1) * 5;
      const v = m % 17 === 3 ? 0 : 1 + (m % 5);
      return [T0 / 1000 + m * 60, open, Math.max(open, close) + 1, Math.min(open, close) - 1, close, v];
    });
    const path = join(dir, 'BTCUSDT-1m.csv');
    writeFileSync(path, `time,open,high,low,close,volume\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const trades = await replay({ SOURCE: `file:ohlcv-csv:${path}` });
    const state = initialSymbolState('BTC/USDT');
    const config = { ...defaultTradeToOhlcConfig, timeframes: ['1m' as const, '1h' as const], gaps: 'omit' as const };
    const candles: Candle[] = [];
    for (const t of trades) applyTrade(state, t, config, candles);
    flushAll(state, config, candles);
    const minutes = candles.filter((c) => c.timeframe === '1m');
    const traded = rows.filter((r) => r[5]! > 0);
    expect(minutes).toHaveLength(traded.length);
    for (const [i, c] of minutes.entries()) {
      const [t, o, h, l, cl, v] = traded[i]!;
      expect([c.start, c.open, c.high, c.low, c.close]).toEqual([t! * 1000, o, h, l, cl]);
      expect(c.volume).toBeCloseTo(v!, 9);
    }
    const hour = candles.find((c) => c.timeframe === '1h')!;
    expect(hour.high).toBe(Math.max(...traded.slice(0, 60).map((r) => r[2]!)));
    expect(trades[0]).toMatchObject({ exchange: 'file-candles', symbol: 'BTC/USDT' });
  });

  it('is a SOURCE error at start when the file names no symbol', () => {
    const path = join(dir, 'candles.csv');
    writeFileSync(path, 'time,open,high,low,close,volume\n1,1,1,1,1,1\n');
    expect(() => parseTradeSourceConfig({ SOURCE: `file:ohlcv-csv:${path}` })).toThrow(ConfigError);
    expect(() => parseTradeSourceConfig({ SOURCE: `file:ohlcv-csv:${path}` })).toThrow(/symbol/);
  });

  it('replays the bundled day of three real Binance.US pairs: every symbol, every minute, as the file has it', async () => {
    const bundled = fileURLToPath(
      new URL('../../data-samples/candles/binanceus_BTC-USDT-USD-USDC_1m_20230301.csv.gz', import.meta.url),
    );
    const rows = gunzipSync(readFileSync(bundled))
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const trades = await replay({ SOURCE: `file:ohlcv-csv:${bundled}` });
    const config = { ...defaultTradeToOhlcConfig, timeframes: ['1m' as const, '1d' as const] };
    const states = new Map<string, ReturnType<typeof initialSymbolState>>();
    const candles: Candle[] = [];
    for (const t of trades) {
      if (!states.has(t.symbol)) states.set(t.symbol, initialSymbolState(t.symbol));
      applyTrade(states.get(t.symbol)!, t, config, candles);
    }
    for (const st of states.values()) flushAll(st, config, candles);
    expect([...states.keys()].sort()).toEqual(['BTC/USD', 'BTC/USDC', 'BTC/USDT']);
    const byKey = new Map(candles.filter((c) => c.timeframe === '1m').map((c) => [`${c.symbol}|${c.start}`, c]));
    let compared = 0;
    for (const [time, symbol, o, h, l, c, v] of rows) {
      const got = byKey.get(`${symbol}|${Date.parse(time!)}`);
      if (Number(v) === 0 && got === undefined) continue; // a filler minute after the symbol's last trade
      expect([got?.open, got?.high, got?.low, got?.close]).toEqual([+o!, +h!, +l!, +c!]);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(3 * 1400);
    expect(candles.filter((c) => c.timeframe === '1d')).toHaveLength(3);
  });
});
