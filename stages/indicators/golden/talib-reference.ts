import type { Candle } from '../../../pipeline/index.ts';
import type { FeatureField } from '../indicator-set.ts';

// The FeatureVector fields computed by TA-Lib's batch functions (through the npm `talib` binding), aligned with
// the input candles: null before each function's begIndex. Used to generate the golden fixtures and by the
// benchmark as the speed reference. `talib` is not a project dependency; callers load it dynamically.

/** The part of the `talib` binding we use. */
export interface TalibBinding {
  version: string;
  execute(params: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]> };
}

export type FeatureColumns = Record<FeatureField, (number | null)[]>;

export interface TalibInputs {
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

export function talibInputs(candles: readonly Candle[]): TalibInputs {
  return {
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
    volume: candles.map((c) => c.volume),
  };
}

/** Runs every TA-Lib function behind the 20 fields over the series; returns their raw outputs. */
export function runTalib(talib: TalibBinding, input: TalibInputs) {
  const n = input.close.length;
  const range = { startIdx: 0, endIdx: n - 1 };
  const hlc = { high: input.high, low: input.low, close: input.close };
  const call = (name: string, params: Record<string, unknown>) => talib.execute({ name, ...range, ...params });
  const rocr = call('ROCR', { inReal: input.close, optInTimePeriod: 1 });
  const ln = talib.execute({ name: 'LN', startIdx: 0, endIdx: rocr.nbElement - 1, inReal: rocr.result.outReal });
  const stddev = talib.execute({
    name: 'STDDEV',
    startIdx: 0,
    endIdx: ln.nbElement - 1,
    inReal: ln.result.outReal,
    optInTimePeriod: 20,
    optInNbDev: 1,
  });
  return {
    sma: call('SMA', { inReal: input.close, optInTimePeriod: 20 }),
    ema12: call('EMA', { inReal: input.close, optInTimePeriod: 12 }),
    ema26: call('EMA', { inReal: input.close, optInTimePeriod: 26 }),
    rsi: call('RSI', { inReal: input.close, optInTimePeriod: 14 }),
    macd: call('MACD', { inReal: input.close, optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 }),
    bbands: call('BBANDS', {
      inReal: input.close,
      optInTimePeriod: 20,
      optInNbDevUp: 2,
      optInNbDevDn: 2,
      optInMAType: 0,
    }),
    atr: call('ATR', { ...hlc, optInTimePeriod: 14 }),
    stoch: call('STOCH', {
      ...hlc,
      optInFastK_Period: 14,
      optInSlowK_Period: 3,
      optInSlowK_MAType: 0,
      optInSlowD_Period: 3,
      optInSlowD_MAType: 0,
    }),
    obv: call('OBV', { inReal: input.close, volume: input.volume }),
    adx: call('ADX', { ...hlc, optInTimePeriod: 14 }),
    cci: call('CCI', { ...hlc, optInTimePeriod: 20 }),
    mfi: call('MFI', { ...hlc, volume: input.volume, optInTimePeriod: 14 }),
    willr: call('WILLR', { ...hlc, optInTimePeriod: 14 }),
    rocr,
    ln,
    stddev,
  };
}

/** TA-Lib's values of the 20 fields, one entry per candle. */
export function talibFeatureColumns(talib: TalibBinding, candles: readonly Candle[]): FeatureColumns {
  const n = candles.length;
  const raw = runTalib(talib, talibInputs(candles));
  const column = (out: { begIndex: number; result: Record<string, number[]> }, name: string, offset = 0, scale = 1) => {
    const values = out.result[name];
    if (!values) throw new Error(`TA-Lib output ${name} missing`);
    const begin = out.begIndex + offset;
    return Array.from({ length: n }, (_, i) => (i < begin ? null : (values[i - begin] as number) * scale));
  };
  // LN and STDDEV run on the log-return series, which starts at candle 1 (ROCR's begIndex).
  const lnOffset = raw.rocr.begIndex;
  return {
    sma20: column(raw.sma, 'outReal'),
    ema12: column(raw.ema12, 'outReal'),
    ema26: column(raw.ema26, 'outReal'),
    rsi14: column(raw.rsi, 'outReal'),
    macd: column(raw.macd, 'outMACD'),
    macdSignal: column(raw.macd, 'outMACDSignal'),
    macdHistogram: column(raw.macd, 'outMACDHist'),
    bbUpper: column(raw.bbands, 'outRealUpperBand'),
    bbMiddle: column(raw.bbands, 'outRealMiddleBand'),
    bbLower: column(raw.bbands, 'outRealLowerBand'),
    atr14: column(raw.atr, 'outReal'),
    stochK: column(raw.stoch, 'outSlowK'),
    stochD: column(raw.stoch, 'outSlowD'),
    obv: column(raw.obv, 'outReal'),
    adx14: column(raw.adx, 'outReal'),
    cci20: column(raw.cci, 'outReal'),
    mfi14: column(raw.mfi, 'outReal'),
    williamsR14: column(raw.willr, 'outReal'),
    logReturn: column(raw.ln, 'outReal', lnOffset),
    // Sample standard deviation: TA-Lib's population STDDEV times sqrt(n / (n - 1)).
    volatility20: column(raw.stddev, 'outReal', lnOffset, Math.sqrt(20 / 19)),
  };
}

/** Loads the `talib` binding if installed (see bench/install-talib.sh), else null. */
export async function loadTalib(): Promise<TalibBinding | null> {
  const name = 'talib';
  try {
    const mod = (await import(name)) as { default?: TalibBinding } & Partial<TalibBinding>;
    const binding = mod.default ?? (mod as TalibBinding);
    return typeof binding.execute === 'function' ? binding : null;
  } catch {
    return null;
  }
}
