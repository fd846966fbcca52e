import { readInt, readList, ConfigError, type Env } from '../../pipeline/index.ts';

export interface ErrorMonitorConfig {
  /** ERROR_WINDOWS: rolling window sizes in predictions, e.g. 50,500. */
  windows: number[];
  /**
   * ERROR_EXPIRY_HORIZONS: a prediction whose candle has not come once the series has candles this many
   * horizons past its target time is expired (counted, dropped).
   */
  expiryHorizons: number;
  /** ERROR_CANDLE_MEMORY: recent closes kept per series, to match predictions that arrive after their candle. */
  candleMemory: number;
}

export const defaultErrorMonitorConfig: ErrorMonitorConfig = {
  windows: [50, 500],
  expiryHorizons: 2,
  candleMemory: 120,
};

export function readErrorMonitorConfig(env: Env): ErrorMonitorConfig {
  const windows = readList(env, 'ERROR_WINDOWS', defaultErrorMonitorConfig.windows.map(String)).map(Number);
  if (windows.length === 0 || windows.some((w) => !Number.isInteger(w) || w < 1 || w > 100_000)) {
    throw new ConfigError(
      'ERROR_WINDOWS',
      'must be a comma-separated list of window sizes between 1 and 100000, e.g. 50,500',
    );
  }
  return {
    windows,
    expiryHorizons: readInt(env, 'ERROR_EXPIRY_HORIZONS', defaultErrorMonitorConfig.expiryHorizons, {
      min: 1,
      max: 1_000,
    }),
    candleMemory: readInt(env, 'ERROR_CANDLE_MEMORY', defaultErrorMonitorConfig.candleMemory, { min: 1, max: 100_000 }),
  };
}
