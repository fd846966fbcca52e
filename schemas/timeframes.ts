/** Candle timeframes the pipeline knows, shortest first, with their length in ms. */
export const timeframeMs = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
} as const;
export type Timeframe = keyof typeof timeframeMs;
export const timeframes = Object.keys(timeframeMs) as Timeframe[];

export function isTimeframe(value: string): value is Timeframe {
  return Object.hasOwn(timeframeMs, value);
}
