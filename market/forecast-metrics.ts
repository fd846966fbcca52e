// Error metrics of log-return forecasts, one definition for the model cards (held-out numbers), the error
// monitor's rolling windows and the API (from stored PredictionError rows, which carry both returns).

export interface ForecastMetrics {
  mae: number;
  rmse: number;
  /** Share of forecasts whose sign equals the realised return's (a zero is its own sign). */
  directionalAccuracy: number;
}

export interface ForecastSample {
  predictedReturn: number;
  actualReturn: number;
}

export interface WindowStats {
  /** The window size asked for; `count` is smaller while fewer samples exist. */
  window: number;
  count: number;
  model: ForecastMetrics;
  /** The naive no-change forecast (predicted return 0) over the same samples. */
  baseline: ForecastMetrics;
}

/** Metrics of `predicted` against `actual` (same length, at least one). */
export function forecastMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>): ForecastMetrics {
  let abs = 0;
  let sq = 0;
  let right = 0;
  const n = actual.length;
  for (let i = 0; i < n; i++) {
    const p = predicted[i]!;
    const a = actual[i]!;
    const e = p - a;
    abs += Math.abs(e);
    sq += e * e;
    if (Math.sign(p) === Math.sign(a)) right++;
  }
  return { mae: abs / n, rmse: Math.sqrt(sq / n), directionalAccuracy: right / n };
}

/**
 * Rolling metrics of the model and the baseline over the last `w` samples for each `w` of `windows`; samples in
 * time order, oldest first. Windows without any sample are left out.
 */
export function rollingStats(samples: readonly ForecastSample[], windows: readonly number[]): WindowStats[] {
  const out: WindowStats[] = [];
  for (const window of windows) {
    const last = samples.slice(Math.max(0, samples.length - window));
    if (last.length === 0) continue;
    const actual = last.map((s) => s.actualReturn);
    out.push({
      window,
      count: last.length,
      model: forecastMetrics(
        last.map((s) => s.predictedReturn),
        actual,
      ),
      baseline: forecastMetrics(new Float64Array(last.length), actual),
    });
  }
  return out;
}

/** Rolling metrics of one model on one series, as the error monitor reports them (gauges, snapshots). */
export interface RollingReport {
  modelName: string;
  symbol: string;
  timeframe: string;
  stats: WindowStats[];
  /** Predictions of this model on this series expired without their candle. */
  expired: number;
}
