import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candle } from '../pipeline/index.ts';
import { loadGoldenSeries } from '../stages/indicators/golden/candle-series.ts';
import { loadTalib, runTalib, talibInputs, type TalibInputs } from '../stages/indicators/golden/talib-reference.ts';
import { applyCandle, initialIndicatorState, type IndicatorState } from '../stages/indicators/indicator-set.ts';
import { runDirectly, type BenchResult } from './bench-result.ts';

// Streaming indicators (all 20 fields, one candle at a time, with the per-candle correction snapshot and a new
// FeatureVector per candle) against TA-Lib's batch functions over the same series, and the per-candle cost at
// the start and at the end of a long series to show it does not grow with history.

const COMPARE_CANDLES = 100_000;
const LONG_CANDLES = 300_000;
const SLICE = 10_000;
const REPEATS = 5;

/** The committed 5,000 real candles repeated, with continuous start times, to any length. */
function series(length: number): Candle[] {
  const base = loadGoldenSeries();
  const first = base[0]!.start;
  return Array.from({ length }, (_, i) => {
    const c = base[i % base.length]!;
    const start = first + i * 60_000;
    return { ...c, start, end: start + 60_000 };
  });
}

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * TA-Lib's batch speed without the Node binding: compiles talib-batch.c against the TA-Lib that
 * install-talib.sh built inside node_modules/talib and times it over the same series. A reason string if not.
 */
function talibCSeconds(inputs: TalibInputs): number | string {
  const lib = fileURLToPath(new URL('../node_modules/talib/src/lib/', import.meta.url));
  const archives = ['abstract', 'func', 'common', 'libc'].map((p) => join(lib, 'lib', `libta_${p}_csr.a`));
  if (!archives.every((a) => existsSync(a))) return 'TA-Lib static libraries not found under node_modules/talib';
  const dir = mkdtempSync(join(tmpdir(), 'candleflow-talib-batch-'));
  try {
    const exe = join(dir, 'talib-batch');
    const source = fileURLToPath(new URL('./talib-batch.c', import.meta.url));
    execFileSync('cc', ['-O2', '-I', join(lib, 'include'), source, ...archives, '-lm', '-o', exe], { stdio: 'pipe' });
    const series = join(dir, 'series.bin');
    const data = Float64Array.from([...inputs.high, ...inputs.low, ...inputs.close, ...inputs.volume]);
    writeFileSync(series, new Uint8Array(data.buffer));
    return Number(execFileSync(exe, [series, String(REPEATS * 4)], { encoding: 'utf8' }).trim());
  } catch (err) {
    return `C harness failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let sink = 0;
function stream(candles: readonly Candle[]): void {
  const state = initialIndicatorState();
  for (const c of candles) sink += applyCandle(state, c).close;
}

export async function run(): Promise<BenchResult> {
  const compare = series(COMPARE_CANDLES);
  stream(compare); // JIT warm-up
  const streamSeconds = median(Array.from({ length: REPEATS }, () => seconds(() => stream(compare))));
  const streamRate = COMPARE_CANDLES / streamSeconds;

  // Per-candle cost at the start and at the end of one long stream: the states before candle 0 and before
  // candle 290k are kept (JSON, as the runtime persists them) and the next 10k candles timed from each, repeatedly.
  const long = series(LONG_CANDLES);
  const lateFrom = LONG_CANDLES - SLICE;
  const state = initialIndicatorState();
  const early = JSON.stringify(state);
  for (let i = 0; i < lateFrom; i++) sink += applyCandle(state, long[i]!).close;
  const late = JSON.stringify(state);
  const sliceSeconds = (snapshot: string, from: number) => {
    const restored = JSON.parse(snapshot) as IndicatorState;
    return seconds(() => {
      for (let i = from; i < from + SLICE; i++) sink += applyCandle(restored, long[i]!).close;
    });
  };
  const earlyTimes: number[] = [];
  const lateTimes: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    earlyTimes.push(sliceSeconds(early, 0));
    lateTimes.push(sliceSeconds(late, lateFrom));
  }
  const firstNs = (median(earlyTimes) / SLICE) * 1e9;
  const lastNs = (median(lateTimes) / SLICE) * 1e9;

  const figures: BenchResult['figures'] = {
    'streaming candles/s (20 fields, 100k candles)': Math.round(streamRate),
    [`ns/candle, first ${SLICE / 1000}k of ${LONG_CANDLES / 1000}k`]: Math.round(firstNs),
    [`ns/candle, last ${SLICE / 1000}k of ${LONG_CANDLES / 1000}k`]: Math.round(lastNs),
    'last/first per-candle cost': Number((lastNs / firstNs).toFixed(2)),
  };
  const notes = [
    `Input: the committed ${'5,000'} real BTC/USDT 1m candles (stages/indicators/golden) repeated to length.`,
    'Streaming: applyCandle per candle, as the stage runs it (state update, correction snapshot, FeatureVector). Median of 5 runs after a warm-up run.',
    'Flat cost: the next 10k candles timed from the state before candle 0 and from the state before candle 290k of one 300k stream (median of 5, alternating).',
  ];

  const talib = await loadTalib();
  if (talib) {
    const inputs = talibInputs(compare);
    runTalib(talib, inputs);
    const talibSeconds = median(
      Array.from({ length: REPEATS }, () =>
        seconds(() => {
          runTalib(talib, inputs);
        }),
      ),
    );
    const talibRate = COMPARE_CANDLES / talibSeconds;
    figures['TA-Lib batch candles/s (same 20 fields, same 100k candles)'] = Math.round(talibRate);
    figures['streaming / TA-Lib batch speed'] = Number((streamRate / talibRate).toFixed(2));
    notes.push(
      'TA-Lib batch: the npm talib binding (TA-Lib C) called once per function over the whole series (SMA, EMA x2, RSI, MACD, BBANDS, ATR, STOCH, OBV, ADX, CCI, MFI, WILLR, ROCR+LN, STDDEV), input arrays prepared beforehand; its time includes the binding copying arrays between JS and C, which is what a Node user of TA-Lib pays.',
      'Target: streaming >= 0.3x TA-Lib batch.',
    );
    const cSeconds = talibCSeconds(inputs);
    if (typeof cSeconds === 'number') {
      const cRate = COMPARE_CANDLES / cSeconds;
      figures['TA-Lib C batch candles/s, no binding (same functions and candles)'] = Math.round(cRate);
      figures['streaming / TA-Lib C batch speed'] = Number((streamRate / cRate).toFixed(2));
      notes.push(
        'TA-Lib C batch: bench/talib-batch.c, the same 16 calls compiled with cc -O2 against the same TA-Lib build, timed in C (median of 20), no JS<->C copies: the lower bound of what batch TA-Lib costs.',
      );
    } else {
      figures['TA-Lib C batch candles/s, no binding'] = `not measured: ${cSeconds}`;
    }
  } else {
    figures['TA-Lib batch candles/s'] = 'not measured: talib not installed';
    notes.push(
      'The npm talib package is not installed, so TA-Lib was not measured: run bench/install-talib.sh, then npm run bench.',
    );
    console.warn('talib is not installed: run bench/install-talib.sh to compare against TA-Lib in this benchmark');
  }
  if (sink === 42) notes.push('');
  return { name: 'Indicators: streaming vs TA-Lib batch', figures, notes };
}

await runDirectly(import.meta.url, run);
