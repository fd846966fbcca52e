import { LateRecordError, ValidationError, type Candle, type FeatureVector } from '../../pipeline/index.ts';
import { adxCopy, adxInitial, adxStep, type AdxState } from './adx.ts';
import { atrCopy, atrInitial, atrStep, type AtrState } from './atr.ts';
import {
  BB_PERIOD,
  bollingerCopy,
  bollingerInitial,
  bollingerStep,
  type BollingerState,
  type BollingerValues,
} from './bollinger.ts';
import { CCI_PERIOD, cciStep } from './cci.ts';
import { HIGH_LOW_PERIOD, highLowOf, type HighLow } from './high-low-window.ts';
import {
  logReturnCopy,
  logReturnInitial,
  logReturnStep,
  VOLATILITY_PERIOD,
  type LogReturnState,
  type LogReturnValues,
} from './log-returns.ts';
import { macdCopy, macdInitial, macdStep, type MacdState, type MacdValues } from './macd.ts';
import { mfiCopy, mfiInitial, mfiStep, moneyFlowWindows, type MfiState, type MoneyFlowWindows } from './mfi.ts';
import { emaCopy, emaInitial, emaStep, type EmaState } from './moving-averages.ts';
import { obvCopy, obvInitial, obvStep, type ObvState } from './obv.ts';
import { rsiCopy, rsiInitial, rsiStep, type RsiState } from './rsi.ts';
import { put, windowFor } from './sliding-window.ts';
import {
  stochasticCopy,
  stochasticInitial,
  stochasticStep,
  stochasticWindows,
  williamsR,
  type StochasticState,
  type StochasticWindows,
} from './stochastic.ts';

// Every indicator of a FeatureVector over one symbol|timeframe series, one candle at a time. The state is a
// plain JSON object (numbers and arrays of numbers, no NaN), so the runtime can persist it in the stage's
// changelog and a restarted worker continues exactly where the old one stopped.
//
// Corrections: a candle with the start of the last one replaces it. We keep the indicators' scalars as they were
// before the last candle (`before`) and re-apply the correction over them, so a corrected candle is never counted
// twice; the windows need no copy (see sliding-window.ts). A candle older than the last one is late: its
// successors already used the value it would change (LateRecordError).

/** The indicators' running scalars (sums, averages, previous values) after some number of candles. */
export interface IndicatorFamilies {
  ema12: EmaState;
  ema26: EmaState;
  bollinger: BollingerState;
  rsi: RsiState;
  macd: MacdState;
  atr: AtrState;
  stochastic: StochasticState;
  obv: ObvState;
  adx: AdxState;
  mfi: MfiState;
  logReturn: LogReturnState;
}

/** The last values of the series the windowed indicators need, each one longer than its period. */
export interface IndicatorWindows {
  closes: number[];
  highs: number[];
  lows: number[];
  typicalPrices: number[];
  stochastic: StochasticWindows;
  moneyFlow: MoneyFlowWindows;
  logReturns: number[];
}

export interface IndicatorState {
  /** Candles applied so far: the index the next candle gets in TA-Lib's arrays. */
  count: number;
  /** Start of the last applied candle; null before the first. */
  lastStart: number | null;
  families: IndicatorFamilies;
  windows: IndicatorWindows;
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
    stochastic: stochasticInitial(),
    obv: obvInitial(),
    adx: adxInitial(),
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
  stochasticCopy(dst.stochastic, src.stochastic);
  obvCopy(dst.obv, src.obv);
  adxCopy(dst.adx, src.adx);
  mfiCopy(dst.mfi, src.mfi);
  logReturnCopy(dst.logReturn, src.logReturn);
}

function initialWindows(): IndicatorWindows {
  return {
    closes: windowFor(BB_PERIOD),
    highs: windowFor(HIGH_LOW_PERIOD),
    lows: windowFor(HIGH_LOW_PERIOD),
    typicalPrices: windowFor(CCI_PERIOD),
    stochastic: stochasticWindows(),
    moneyFlow: moneyFlowWindows(),
    logReturns: windowFor(VOLATILITY_PERIOD),
  };
}

export function initialIndicatorState(): IndicatorState {
  return { count: 0, lastStart: null, families: initialFamilies(), windows: initialWindows(), before: null };
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
    throw new ValidationError(
      `candle ${candle.symbol} ${candle.timeframe} ${start}: volume must be a non-negative number, got ${volume}`,
    );
  }
  if (!Number.isSafeInteger(start)) {
    throw new ValidationError(
      `candle ${candle.symbol} ${candle.timeframe}: start must be an integer epoch ms, got ${start}`,
    );
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
  const vector = computeFeatures(state.families, state.windows, candle, state.count);
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
function computeFeatures(f: IndicatorFamilies, w: IndicatorWindows, candle: Candle, i: number): FeatureVector {
  const { high, low, close, volume } = candle;
  const hasBands = bollingerStep(f.bollinger, w.closes, close, i, bands);
  const hasMacd = macdStep(f.macd, close, i, macdValues);
  put(w.highs, i, high);
  put(w.lows, i, low);
  const hasHighLow = highLowOf(w.highs, w.lows, i, highLow);
  const hasStoch = hasHighLow && stochasticStep(f.stochastic, w.stochastic, close, highLow, i, stoch);
  logReturnStep(f.logReturn, w.logReturns, close, i, returns);
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
    cci20: cciStep(w.typicalPrices, high, low, close, i),
    mfi14: mfiStep(f.mfi, w.moneyFlow, high, low, close, volume, i),
    williamsR14: hasHighLow ? williamsR(close, highLow) : null,
    logReturn: returns.logReturn,
    volatility20: returns.volatility,
  };
}

/** The FeatureVector fields that hold indicators, in schema order. */
export const featureFields = [
  'sma20',
  'ema12',
  'ema26',
  'rsi14',
  'macd',
  'macdSignal',
  'macdHistogram',
  'bbUpper',
  'bbMiddle',
  'bbLower',
  'atr14',
  'stochK',
  'stochD',
  'obv',
  'adx14',
  'cci20',
  'mfi14',
  'williamsR14',
  'logReturn',
  'volatility20',
] as const satisfies readonly (keyof FeatureVector)[];
export type FeatureField = (typeof featureFields)[number];
