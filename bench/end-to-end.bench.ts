import { boot } from '../cli/boot.ts';
import { emit, topics } from '../pipeline/index.ts';
import { encodeOutput } from '../pipeline/stage/index.ts';
import { silentLogger } from '../pipeline/log.ts';
import { loadGoldenSeries } from '../stages/indicators/golden/candle-series.ts';
import { runDirectly, type BenchResult } from './bench-result.ts';

// Latency from a candle's window closing (the moment trade-to-ohlc hands the closed candle to the bus) to its
// prediction being readable at /v1/predictions/latest, in embedded mode: memory bus, embedded Postgres (PGlite),
// indicators -> predictor -> postgres-sink -> API, the bundled default model. The API's /latest cache is off so
// every poll reads the database. Real BTC/USDT 1m candles.

const WARM_UP = 60;
const MEASURED = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<BenchResult> {
  const booted = await boot({
    env: { DATA_DIR: 'memory://', PORT: '0', LATEST_CACHE_MS: '0', RATE_LIMIT_MAX: '0', LOG_LEVEL: 'silent' },
    stages: ['indicators', 'predictor', 'postgres-sink'],
    mode: 'dev',
    log: silentLogger,
  });
  try {
    const { bus, codec } = booted.worker;
    const candles = loadGoldenSeries().slice(0, WARM_UP + MEASURED);
    // Exactly what trade-to-ohlc sends when a window closes: the catalogue's key and partition.
    const send = async (i: number) => {
      const { topic, message } = await encodeOutput(codec, emit(topics.candles, candles[i]!), {
        name: 'trade-to-ohlc',
        outputs: [topics.candles],
      });
      await bus.produce(topic, [message]);
    };
    const url = `${booted.url}/v1/predictions/latest?symbol=${encodeURIComponent(candles[0]!.symbol)}&timeframe=1m`;
    const latestFeatureTime = async (): Promise<number | null> => {
      const res = await fetch(url);
      if (res.status !== 200) return null;
      return ((await res.json()) as { data: { featureTime: number }[] }).data[0]?.featureTime ?? null;
    };
    const until = async (start: number, deadlineMs: number) => {
      const deadline = performance.now() + deadlineMs;
      while ((await latestFeatureTime()) !== start) {
        if (performance.now() > deadline) throw new Error(`no prediction for ${start} within ${deadlineMs} ms`);
      }
    };
    for (let i = 0; i < WARM_UP; i++) await send(i);
    await until(candles[WARM_UP - 1]!.start, 30_000);
    const latencies: number[] = [];
    for (let i = WARM_UP; i < WARM_UP + MEASURED; i++) {
      const closed = performance.now();
      await send(i);
      await until(candles[i]!.start, 10_000);
      latencies.push(performance.now() - closed);
    }
    latencies.sort((a, b) => a - b);
    const round = (x: number) => Number(x.toFixed(2));
    return {
      name: 'End to end: candle closed -> prediction readable at /v1/predictions/latest (embedded mode)',
      figures: {
        candles: MEASURED,
        'p50 ms': round(percentile(latencies, 50)),
        'p90 ms': round(percentile(latencies, 90)),
        'p99 ms': round(percentile(latencies, 99)),
        'max ms': round(latencies.at(-1)!),
        'target p99 ms': 50,
      },
      notes: [
        'Memory bus, embedded Postgres (PGlite over pglite-socket), default model ridge-h5, LATEST_CACHE_MS=0 so each poll reads the database.',
        'The clock starts when the closed candle is produced to `candles` and stops at the first HTTP answer carrying its prediction; candles one at a time after a 60-candle warm-up.',
        `Includes the predictor's batch wait (PREDICTOR_BATCH_WAIT_MS, default 5 ms) and HTTP polling from the same process.`,
      ],
    };
  } finally {
    await booted.stop();
  }
}

await runDirectly(import.meta.url, run);
