import { defineConfig, settings } from '../../pipeline/index.ts';

export const errorMonitorConfig = defineConfig(
  {
    /** Rolling window sizes in predictions, e.g. 50,500. */
    windows: settings.list('ERROR_WINDOWS', {
      default: [50, 500],
      doc: "rolling windows (in matched predictions) of the error monitor's gauges",
      item: (w) => {
        const n = Number(w);
        if (!Number.isInteger(n) || n < 1 || n > 100_000) {
          throw new Error('must be a comma-separated list of window sizes between 1 and 100000, e.g. 50,500');
        }
        return n;
      },
    }),
    /**
     * A prediction whose candle has not come once the series has candles this many horizons past its target time is
     * expired (counted, dropped).
     */
    expiryHorizons: settings.int('ERROR_EXPIRY_HORIZONS', {
      default: 2,
      min: 1,
      max: 1_000,
      doc: 'a prediction whose candle has not come this many horizons after its target is counted as expired',
    }),
    /** Closes kept per series behind the newest prediction's feature time, for predictions that come late. */
    candleMemory: settings.int('ERROR_CANDLE_MEMORY', {
      default: 120,
      min: 1,
      max: 100_000,
      doc: "closes the error monitor keeps per series behind the newest prediction's feature time",
    }),
    /** Closes kept ahead of the prediction stream (a candle stream running ahead in a replay) before the oldest go. */
    maxCandleLead: settings.int('ERROR_MAX_CANDLE_LEAD', {
      default: 20_000,
      min: 1,
      max: 1_000_000,
      doc: 'closes the error monitor keeps per series ahead of the predictions (memory bound of a fast replay)',
    }),
  },
  (v) => ({ ...v, windows: [...v.windows] }),
);

export type ErrorMonitorConfig = ReturnType<typeof errorMonitorConfig.compile>;

export const defaultErrorMonitorConfig: ErrorMonitorConfig = errorMonitorConfig.compile({});

export function readErrorMonitorConfig(env: Readonly<Record<string, string | undefined>>): ErrorMonitorConfig {
  return errorMonitorConfig.compile(env);
}
