import { LateRecordError, ValidationError, type Candle, type FeatureVector } from '../../pipeline/index.ts';
import { adxCopy, adxInitial, adxStep, type AdxState } from './adx.ts';
import { atrCopy, atrInitial, atrStep, type AtrState } from './atr.ts';
import { bollingerCopy, bollingerInitial, bollingerStep, type BollingerState, type BollingerValues } from './bollinger.ts';
import { cciCopy, cciInitial, cciStep, type CciState } from './cci.ts';
import { highLowCopy, highLowInitial, highLowStep, type HighLow, type HighLowWindowState } from './high-low-window.ts';
import { logReturnCopy, logReturnInitial, logReturnStep, type LogReturnState, type LogReturnValues } from './log-returns.ts';
import { macdCopy, macdInitial, macdStep, type MacdState, type MacdValues } from './macd.ts';
import { mfiCopy, mfiInitial, mfiStep, type MfiState } from './mfi.ts';
import { emaCopy, emaInitial, emaStep, type EmaState } from './moving-averages.ts';
import { obvCopy, obvInitial, obvStep, type ObvState } from './obv.ts';
import { rsiCopy, rsiInitial, rsiStep, type RsiState } from './rsi.ts';
import { stochasticCopy, stochasticInitial, stochasticStep, williamsR, type StochasticState } from './stochastic.ts';

// Every indicator of a FeatureVector over one symbol|timeframe series, one candle at a time. The state is a
// plain JSON object (numbers and arrays of numbers, no NaN), so the runtime can persist it in the stage's
// changelog and a restarted worker continues exactly where the old one stopped.
//
// Corrections: a candle with the start of the last one replaces it. We keep the state as it was before the last
// candle (`before`) and re-apply the correction over it, so a corrected candle is never counted twice. A candle
// older than the last one is late: its successors already used the value it would change (LateRecordError).

/** The indicators' own state after some number of candles. */
export interface IndicatorFamilies {
  ema12: EmaState;
  ema26: EmaState;
  bollinger: BollingerState;
  rsi: RsiState;
  macd: MacdState;
  atr: AtrState;
  highLow: HighLowWindowState;
  stochastic: StochasticState;
  obv: ObvState;
  adx: AdxState;
  cci: CciState;
  mfi: MfiState;
  logReturn: LogReturnState;
}

export interface IndicatorState {
  /** Candles applied so far: the index the next candle gets in TA-Lib's arrays. */
  count: number;
  /** Start of the last applied candle; null before the first. */
  lastStart: number | null;
  families: IndicatorFamilies;
  /** The families before the last candle, for corrections of it; null before the first candle. */
  before: IndicatorFamilies | null;
}

function initialFamilies(): IndicatorFamilies {
  return {
    ema12: emaInitial(12),
    ema26: emaInitial(26),
    bollinger: bollingerInitial(),
    rsi: rsiInitial(),
    macd: macdInitial(),
    atr: atrInitial(),
    highLow: highLowInitial(),
    stochastic: stochasticInitial(),
    obv: obvInitial(),
    adx: adxInitial(),
    cci: cciInitial(),
    mfi: mfiInitial(),
    logReturn: logReturnInitial(),
  };
}

/** Copies every family of `src` into `dst` in place: the per-candle snapshot allocates nothing. */
function copyFamilies(dst: IndicatorFamilies, src: IndicatorFamilies): void {
  emaCopy(dst.ema12, src.ema12);
  emaCopy(dst.ema26, src.ema26);
  bollingerCopy(dst.bollinger, src.bollinger);
  rsiCopy(dst.rsi, src.rsi);
  macdCopy(dst.macd, src.macd);
  atrCopy(dst.atr, src.atr);
  highLowCopy(dst.highLow, src.highLow);
  stochasticCopy(dst.stochastic, src.stochastic);
  obvCopy(dst.obv, src.obv);
  adxCopy(dst.adx, src.adx);
  cciCopy(dst.cci, src.cci);
  mfiCopy(dst.mfi, src.mfi);
  logReturnCopy(dst.logReturn, src.logReturn);
}

export function initialIndicatorState(): IndicatorState {
  return { count: 0, lastStart: null, families: initialFamilies(), before: null };
}

function isPositivePrice(v: unknown): boolean {
  return typeof v === 'number' && v > 0 && v < Infinity;
}

/** Rejects a candle the indicators cannot use, before any state changes. */
export function validateCandle(candle: Candle): void {
  const { open, high, low, close, volume, start } = candle;
  if (!(isPositivePrice(open) && isPositivePrice(high) && isPositivePrice(low) && isPositivePrice(close))) {
    throw new ValidationError(
      `candle ${candle.symbol} ${candle.timeframe} ${start}: prices must be positive numbers, got open ${open} high ${high} low ${low} close ${close}`,
    );
  }
  if (!(typeof volume === 'number' && volume >= 0 && volume < Infinity)) {
    throw new ValidationError(`candle ${candle.symbol} ${candle.timeframe} ${start}: volume must be a non-negative number, got ${volume}`);
  }
  if (!Number.isSafeInteger(start)) {
    throw new ValidationError(`candle ${candle.symbol} ${candle.timeframe}: start must be an integer epoch ms, got ${start}`);
  }
}

/**
 * Applies one candle to `state` (mutated in place) and returns its FeatureVector. A candle with the last one's
 * start replaces it; an older one throws LateRecordError and leaves the state unchanged.
 */
export function applyCandle(state: IndicatorState, candle: Candle): FeatureVector {
  validateCandle(candle);
  if (state.lastStart !== null && candle.start <= state.lastStart) {
    if (candle.start < state.lastStart || state.before === null) {
      throw new LateRecordError(
        `candle ${candle.symbol} ${candle.timeframe} ${candle.start} is older than the last one applied (${state.lastStart})`,
      );
    }
    // A correction of the last candle: undo it, then apply the corrected one in its place.
    copyFamilies(state.families, state.before);
    state.count -= 1;
  } else {
    state.before ??= initialFamilies();
    copyFamilies(state.before, state.families);
  }
  const vector = computeFeatures(state.families, candle, state.count);
  state.count += 1;
  state.lastStart = candle.start;
  return vector;
}

const highLow: HighLow = { highest: 0, lowest: 0 };
const bands: BollingerValues = { middle: 0, upper: 0, lower: 0 };
const macdValues: MacdValues = { macd: 0, signal: 0, histogram: 0 };
const stoch = { k: 0, d: 0 };
const returns: LogReturnValues = { logReturn: null, volatility: null };

/** Advances every family by candle number `i` and reads off the features; nulls where TA-Lib has no value yet. */
function computeFeatures(f: IndicatorFamilies, candle: Candle, i: number): FeatureVector {
  const { high, low, close, volume } = candle;
  const hasBands = bollingerStep(f.bollinger, close, i, bands);
  const hasMacd = macdStep(f.macd, close, i, macdValues);
  const hasHighLow = highLowStep(f.highLow, high, low, i, highLow);
  const hasStoch = hasHighLow && stochasticStep(f.stochastic, close, highLow, i, stoch);
  logReturnStep(f.logReturn, close, i, returns);
  return {
    symbol: candle.symbol,
    timeframe: candle.timeframe,
    start: candle.start,
    end: candle.end,
    close,
    sma20: hasBands ? bands.middle : null,
    ema12: emaStep(f.ema12, close, i),
    ema26: emaStep(f.ema26, close, i),
    rsi14: rsiStep(f.rsi, close, i),
    macd: hasMacd ? macdValues.macd : null,
    macdSignal: hasMacd ? macdValues.signal : null,
    macdHistogram: hasMacd ? macdValues.histogram : null,
    bbUpper: hasBands ? bands.upper : null,
    bbMiddle: hasBands ? bands.middle : null,
    bbLower: hasBands ? bands.lower : null,
    atr14: atrStep(f.atr, high, low, close, i),
    stochK: hasStoch ? stoch.k : null,
    stochD: hasStoch ? stoch.d : null,
    obv: obvStep(f.obv, close, volume, i),
    adx14: adxStep(f.adx, high, low, close, i),
    cci20: cciStep(f.cci, high, low, close, i),
    mfi14: mfiStep(f.mfi, high, low, close, volume, i),
    williamsR14: hasHighLow ? williamsR(close, highLow) : null,
    logReturn: returns.logReturn,
    volatility20: returns.volatility,
  };
}

/** The FeatureVector fields that hold indicators, in schema order. */
export const featureFields = [
  'sma20', 'ema12', 'ema26', 'rsi14', 'macd', 'macdSignal', 'macdHistogram', 'bbUpper', 'bbMiddle', 'bbLower',
  'atr14', 'stochK', 'stochD', 'obv', 'adx14', 'cci20', 'mfi14', 'williamsR14', 'logReturn', 'volatility20',
] as const satisfies readonly (keyof FeatureVector)[];
export type FeatureField = (typeof featureFields)[number];
