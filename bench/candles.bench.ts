import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { timeframeMs, type Candle, type Timeframe, type Trade } from '../pipeline/index.ts';
import { defaultTradeToOhlcConfig, type TradeToOhlcConfig } from '../stages/trade-to-ohlc/config.ts';
import { applyTrade, flushAll, initialSymbolState } from '../stages/trade-to-ohlc/symbol-candles.ts';
import type { BenchResult } from './bench-result.ts';
import { SyntheticTrades } from './synthetic-trades.ts';
import { writeResult } from './bench-result.ts';

// Trades per second of the candle aggregation core (dedup, late check, exact open/close order, gap candles,
// JSON state) against, in the same run and on the same trades: a naive one-loop aggregator (the practical
// limit) and ccxt's buildOHLCVC (what a user might reach for). Peak RSS is measured in child processes that
// stream 1M and 10M trades through the core, so each figure is that run's own peak.

const CHUNK = 50_000;
const THROUGHPUT_TRADES = 1_000_000;

/** One loop, one bucket per timeframe, nothing else: no dedup, no late trades, no ordering, no gaps. */
class NaiveAggregator {
  private readonly open: (number[] | null)[];
  candles = 0;
  constructor(private readonly lengths: number[]) {
    this.open = lengths.map(() => null);
  }
  add(trades: readonly Trade[]): void {
    const lengths = this.lengths;
    for (let i = 0; i < trades.length; i += 1) {
      const t = trades[i]!;
      for (let j = 0; j < lengths.length; j += 1) {
        const start = t.timestamp - (t.timestamp % lengths[j]!);
        const c = this.open[j];
        if (!c || c[0] !== start) {
          if (c) this.candles += 1;
          this.open[j] = [start, t.price, t.price, t.price, t.price, t.quantity];
        } else {
          if (t.price > c[2]!) c[2] = t.price;
          if (t.price < c[3]!) c[3] = t.price;
          c[4] = t.price;
          c[5]! += t.quantity;
        }
      }
    }
  }
}

function mega(n: number): string {
  return `${(n / 1e6).toFixed(2)}M`;
}

async function throughput(timeframes: Timeframe[]): Promise<{ core: number; naive: number; ccxt: number }> {
  const config: TradeToOhlcConfig = { ...defaultTradeToOhlcConfig, timeframes };
  const state = initialSymbolState('BTC/USD');
  const out: Candle[] = [];
  const naive = new NaiveAggregator(timeframes.map((tf) => timeframeMs[tf]));
  // Loaded here, not at the top: the RSS children must not carry ccxt's weight.
  const ccxt = (await import('ccxt')).default;
  const exchange = new ccxt.kraken();
  const gen = new SyntheticTrades();
  const chunk: Trade[] = [];
  const ms = { core: 0, naive: 0, ccxt: 0 };
  let coreCandles = 0;
  let ccxtCandles = 0;
  for (let done = 0; done < THROUGHPUT_TRADES; done += CHUNK) {
    gen.next(CHUNK, chunk);
    // Interleaved chunk by chunk, in rotating order, so all three see the same machine and cache conditions.
    const runs = [
      (): void => {
        const t = performance.now();
        for (let i = 0; i < chunk.length; i += 1) applyTrade(state, chunk[i]!, config, out);
        ms.core += performance.now() - t;
        coreCandles += out.length;
        out.length = 0;
      },
      (): void => {
        const t = performance.now();
        naive.add(chunk);
        ms.naive += performance.now() - t;
      },
      (): void => {
        const t = performance.now();
        for (const tf of timeframes) ccxtCandles += exchange.buildOHLCVC(chunk as never, tf).length;
        ms.ccxt += performance.now() - t;
      },
    ];
    const k = (done / CHUNK) % 3;
    for (let r = 0; r < 3; r += 1) runs[(k + r) % 3]!();
  }
  flushAll(state, config, out);
  const perSecond = (millis: number): number => Math.round(THROUGHPUT_TRADES / (millis / 1000));
  void coreCandles;
  void ccxtCandles;
  return { core: perSecond(ms.core), naive: perSecond(ms.naive), ccxt: perSecond(ms.ccxt) };
}

/** Child process: streams `n` synthetic trades through the core with the default timeframes. */
function rssChild(n: number): void {
  const config = defaultTradeToOhlcConfig;
  const state = initialSymbolState('BTC/USD');
  const out: Candle[] = [];
  const gen = new SyntheticTrades();
  const chunk: Trade[] = [];
  let candles = 0;
  const started = performance.now();
  for (let done = 0; done < n; done += CHUNK) {
    gen.next(Math.min(CHUNK, n - done), chunk);
    for (let i = 0; i < chunk.length; i += 1) applyTrade(state, chunk[i]!, config, out);
    candles += out.length;
    out.length = 0;
  }
  flushAll(state, config, out);
  candles += out.length;
  const stateBytes = JSON.stringify(state).length;
  process.stdout.write(
    `${JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024, candles, stateBytes, seconds: (performance.now() - started) / 1000 })}\n`,
  );
}

function child<T>(args: string[]): T {
  const self = fileURLToPath(import.meta.url);
  const text = execFileSync(process.execPath, ['--import', 'tsx', self, ...args], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  return JSON.parse(text.trim().split('\n').pop()!) as T;
}

function measureChild(n: number): { maxRssMiB: number; candles: number; stateBytes: number; seconds: number } {
  return child(['--rss-child', String(n)]);
}

/** Each throughput case in a fresh process: no JIT feedback carried over from another case. */
function throughputChild(timeframes: Timeframe[]): { core: number; naive: number; ccxt: number } {
  return child(['--throughput-child', timeframes.join(',')]);
}

export async function run(): Promise<BenchResult> {
  const all = throughputChild([...defaultTradeToOhlcConfig.timeframes]);
  const one = throughputChild(['1m']);
  const idle = measureChild(0);
  const m1 = measureChild(1_000_000);
  const m10 = measureChild(10_000_000);
  return {
    name: 'candles: trade aggregation throughput and memory',
    figures: {
      'core trades/s, 6 timeframes': all.core,
      'naive loop trades/s, 6 timeframes': all.naive,
      'ccxt buildOHLCVC trades/s, 6 timeframes': all.ccxt,
      'core / naive, 6 timeframes': Number((all.core / all.naive).toFixed(2)),
      'core / ccxt, 6 timeframes': Number((all.core / all.ccxt).toFixed(2)),
      'core trades/s, 1m only': one.core,
      'naive loop trades/s, 1m only': one.naive,
      'ccxt buildOHLCVC trades/s, 1m only': one.ccxt,
      'core / naive, 1m only': Number((one.core / one.naive).toFixed(2)),
      'core / ccxt, 1m only': Number((one.core / one.ccxt).toFixed(2)),
      'peak RSS MiB, process without trades': Math.round(idle.maxRssMiB),
      'peak RSS MiB, 1M trades': Math.round(m1.maxRssMiB),
      'peak RSS MiB, 10M trades': Math.round(m10.maxRssMiB),
      'state JSON bytes after 10M trades': m10.stateBytes,
      'seconds for 10M trades (incl. generation)': Number(m10.seconds.toFixed(1)),
    },
    notes: [
      `Throughput over ${mega(THROUGHPUT_TRADES)} synthetic trades drawn from the bundled real Kraken sample's distribution (gaps, returns, quantities, sides), with integer trade ids; timed chunk by chunk (${CHUNK}), generation not timed.`,
      'core = applyTrade of stages/trade-to-ohlc (dedup by id, late check, (timestamp, id) order, flat gap candles, JSON-serialisable state).',
      'naive = one loop, one open bucket per timeframe, nothing else. ccxt = Exchange.buildOHLCVC per chunk and timeframe (no vwap, no dedup, no gaps).',
      "Peak RSS figures are each child process's own maxRSS (process.resourceUsage), trades streamed in chunks, never materialised; the row without trades is the floor (Node + tsx + imports).",
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const childAt = process.argv.indexOf('--rss-child');
  const throughputAt = process.argv.indexOf('--throughput-child');
  if (childAt >= 0) {
    rssChild(Number(process.argv[childAt + 1]));
  } else if (throughputAt >= 0) {
    const result = await throughput(process.argv[throughputAt + 1]!.split(',') as Timeframe[]);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const result = await run();
    writeResult('candles', result);
    console.log(JSON.stringify(result, null, 2));
  }
}
