import {
  defineStage,
  emit,
  timeframeMs,
  topics,
  ValidationError,
  type Candle,
  type Output,
  type Prediction,
  type PredictionError,
  type StageDefinition,
  type StageOutputs,
  type Timeframe,
} from '../../pipeline/index.ts';
import { rollingStats, type ForecastSample, type RollingReport } from '../../market/forecast-metrics.ts';
import { defaultErrorMonitorConfig, type ErrorMonitorConfig } from './error-monitor-config.ts';

/** Per symbol|timeframe (both inputs are partitioned by it). */
export interface ErrorMonitorState {
  /** Predictions waiting for the candle at their target time. */
  pending: Prediction[];
  /**
   * Closes by candle start, oldest first: [start, close]. Kept from `ERROR_CANDLE_MEMORY` windows behind the
   * newest prediction's feature time on, however far the candle stream runs ahead (up to `ERROR_MAX_CANDLE_LEAD`).
   */
  closes: [number, number][];
  /** Latest candle start seen: the series' event-time watermark. */
  watermark: number | null;
  /** Latest prediction feature time seen: how far the prediction stream got (absent in older states). */
  predictionWatermark?: number | null;
  /** Closes dropped by ERROR_MAX_CANDLE_LEAD before the predictions reached them (absent in older states). */
  droppedAhead?: number;
  /** Last samples per model name, oldest first, at most the largest window: [predictedReturn, actualReturn]. */
  samples: Record<string, [number, number][]>;
  /** Predictions expired without their candle, per model name, since the state began. */
  expired: Record<string, number>;
}

export interface ErrorMonitorOptions {
  config?: Partial<ErrorMonitorConfig>;
  /** Called with a model's new rolling metrics on a series after each matched or expired prediction. */
  onRolling?(report: RollingReport): void;
  /** Called once per expired prediction (a Prometheus counter). */
  onExpired?(expired: { modelName: string; symbol: string; timeframe: string; targetTime: number }): void;
}

export interface ErrorMonitor {
  stage: StageDefinition<Prediction | Candle, ErrorMonitorState>;
  /** The latest report of every model and series this worker has matched predictions for since it started. */
  snapshot(): RollingReport[];
}

type Input = Prediction | Candle;

function isCandleTopic(topic: string): boolean {
  return topic === topics.candles.name;
}

/** The PredictionError of a prediction and the close realised at its target time. */
export function predictionErrorOf(p: Prediction, actualPrice: number): PredictionError {
  const actualReturn = Math.log(actualPrice / p.basePrice);
  const error = p.predictedReturn - actualReturn;
  return {
    symbol: p.symbol,
    timeframe: p.timeframe,
    featureTime: p.featureTime,
    targetTime: p.targetTime,
    modelName: p.modelName,
    modelVersion: p.modelVersion,
    predictedReturn: p.predictedReturn,
    actualReturn,
    error,
    absError: Math.abs(error),
    directionCorrect: Math.sign(p.predictedReturn) === Math.sign(actualReturn),
    baselineError: -actualReturn,
    baselineAbsError: Math.abs(actualReturn),
    predictedPrice: p.predictedPrice,
    actualPrice,
  };
}

/**
 * predictions + candles -> prediction-errors. A prediction waits for the candle whose start is its target time
 * (or meets it at once among the recent closes, when it arrives after its candle); the match emits one
 * PredictionError with the naive baseline's error beside the model's, and updates the model's rolling MAE, RMSE
 * and directional accuracy, and the baseline's, on that series. A prediction whose candle has not come when the
 * series' candles are `expiryHorizons` horizons past its target is expired: counted and dropped. Time is event
 * time (candle starts), so replays of old data behave like live data.
 */
export type { RollingReport };

/** Index of the first close starting at or after `start` (closes are sorted by start). */
function firstAtOrAfter(closes: readonly [number, number][], start: number): number {
  let lo = 0;
  let hi = closes.length;
  // Candles arrive in order: the new one usually goes last.
  if (hi > 0 && closes[hi - 1]![0] < start) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (closes[mid]![0] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createErrorMonitorStage(options: ErrorMonitorOptions = {}): ErrorMonitor {
  const config: ErrorMonitorConfig = { ...defaultErrorMonitorConfig, ...options.config };
  const maxWindow = Math.max(...config.windows);
  const latest = new Map<string, RollingReport>();

  const report = (st: ErrorMonitorState, modelName: string, symbol: string, timeframe: string) => {
    const samples: ForecastSample[] = (st.samples[modelName] ?? []).map(([predictedReturn, actualReturn]) => ({
      predictedReturn,
      actualReturn,
    }));
    const r: RollingReport = {
      modelName,
      symbol,
      timeframe,
      stats: rollingStats(samples, config.windows),
      expired: st.expired[modelName] ?? 0,
    };
    latest.set(`${modelName}|${symbol}|${timeframe}`, r);
    options.onRolling?.(r);
  };

  const match = (st: ErrorMonitorState, p: Prediction, close: number, out: Output[]) => {
    const pe = predictionErrorOf(p, close);
    out.push(emit(topics.predictionErrors, pe));
    const samples = (st.samples[p.modelName] ??= []);
    samples.push([pe.predictedReturn, pe.actualReturn]);
    if (samples.length > maxWindow) samples.splice(0, samples.length - maxWindow);
    report(st, p.modelName, p.symbol, p.timeframe);
  };

  const expire = (st: ErrorMonitorState, p: Prediction) => {
    st.expired[p.modelName] = (st.expired[p.modelName] ?? 0) + 1;
    options.onExpired?.({ modelName: p.modelName, symbol: p.symbol, timeframe: p.timeframe, targetTime: p.targetTime });
    report(st, p.modelName, p.symbol, p.timeframe);
  };

  const expiresAt = (p: Prediction) =>
    p.targetTime + config.expiryHorizons * p.horizon * timeframeMs[p.timeframe as Timeframe];

  const onCandle = (st: ErrorMonitorState, c: Candle, out: Output[]) => {
    if (!c.final) return;
    const at = firstAtOrAfter(st.closes, c.start);
    if (at === st.closes.length) st.closes.push([c.start, c.close]);
    else if (st.closes[at]![0] === c.start)
      st.closes[at]![1] = c.close; // a correction: later matches use it
    else st.closes.splice(at, 0, [c.start, c.close]); // out of order
    // Only a candle stream more than ERROR_MAX_CANDLE_LEAD closes ahead of the predictions loses closes they need.
    const cap = config.candleMemory + config.maxCandleLead;
    if (st.closes.length > cap) {
      const drop = st.closes.length - cap;
      const predicted = st.predictionWatermark ?? Number.NEGATIVE_INFINITY;
      for (let i = 0; i < drop; i += 1) if (st.closes[i]![0] > predicted) st.droppedAhead = (st.droppedAhead ?? 0) + 1;
      st.closes.splice(0, drop);
    }
    st.watermark = Math.max(st.watermark ?? c.start, c.start);
    const waiting: Prediction[] = [];
    for (const p of st.pending) {
      if (p.targetTime === c.start) match(st, p, c.close, out);
      else if (st.watermark >= expiresAt(p)) expire(st, p);
      else waiting.push(p);
    }
    st.pending = waiting;
  };

  const onPrediction = (st: ErrorMonitorState, p: Prediction, out: Output[]) => {
    if (!(p.basePrice > 0) || !Number.isFinite(p.predictedReturn)) {
      throw new ValidationError(
        `prediction ${p.symbol} ${p.timeframe} ${p.featureTime} ${p.modelName}: basePrice must be positive and predictedReturn finite`,
      );
    }
    // The candle stream may be far ahead (a replay at full speed): closes are kept behind the predictions, not
    // behind the candles, so whether a prediction meets its candle does not depend on how far ahead they ran.
    if (
      st.predictionWatermark === undefined ||
      st.predictionWatermark === null ||
      p.featureTime > st.predictionWatermark
    ) {
      st.predictionWatermark = p.featureTime;
      const keepFrom = p.featureTime - config.candleMemory * timeframeMs[p.timeframe as Timeframe];
      const from = firstAtOrAfter(st.closes, keepFrom);
      if (from > 0) st.closes.splice(0, from);
    }
    const at = firstAtOrAfter(st.closes, p.targetTime);
    const known = st.closes[at];
    if (known && known[0] === p.targetTime) return match(st, p, known[1], out);
    if (st.watermark !== null && st.watermark >= expiresAt(p)) return expire(st, p);
    // A re-sent prediction (same key) replaces the one waiting.
    st.pending = st.pending.filter((q) => !(q.featureTime === p.featureTime && q.modelName === p.modelName));
    st.pending.push(p);
  };

  const stage = defineStage<Input, ErrorMonitorState>({
    name: 'error-monitor',
    description:
      'Matches predictions with realised candles: PredictionErrors and rolling MAE, RMSE, direction vs the naive baseline.',
    inputs: [topics.predictions, topics.candles],
    outputs: [topics.predictionErrors],
    state: { initial: () => ({ pending: [], closes: [], watermark: null, samples: {}, expired: {} }) },
    handle(record, ctx): StageOutputs {
      const out: Output[] = [];
      if (isCandleTopic(record.topic)) onCandle(ctx.state, record.value as Candle, out);
      else onPrediction(ctx.state, record.value as Prediction, out);
      return out;
    },
    flush(ctx) {
      // The end of a bounded input: the candles of what is still pending will never come.
      for (const key of ctx.keys()) {
        const st = ctx.state(key);
        if (st.pending.length === 0) continue;
        for (const p of st.pending) expire(st, p);
        st.pending = [];
        ctx.setState(key, st); // reported, so the runner writes it (see TickContext)
      }
    },
  });

  return { stage, snapshot: () => [...latest.values()] };
}
