import {
  ConfigError,
  InputError,
  timeframeMs,
  timeframes as knownTimeframes,
  type Timeframe,
} from '../../pipeline/index.ts';
import { parseDuration } from './duration.ts';

export type GapPolicy = 'flat' | 'omit';

export interface TradeToOhlcConfig {
  /** Shortest first; the shortest decides whether a trade is late. */
  timeframes: Timeframe[];
  /** A window closes once event time reaches end + graceMs. */
  graceMs: number;
  gaps: GapPolicy;
  /** Emit the open windows on candles.partial this often (wall clock); null = never. */
  partialIntervalMs: number | null;
  /** Keep rows that repeat an earlier one exactly (sources without trade ids). */
  keepRepeats: boolean;
  /**
   * Live mode: a symbol counts as caught up with the present when its latest trade arrived at most
   * graceMs + liveSlackMs after it was executed; only then may the wall clock close windows.
   */
  liveSlackMs: number;
}

export const defaultTradeToOhlcConfig: Readonly<TradeToOhlcConfig> = Object.freeze({
  timeframes: [...knownTimeframes],
  graceMs: 2_000,
  gaps: 'flat',
  partialIntervalMs: null,
  keepRepeats: false,
  liveSlackMs: 5_000,
});

/** `1m,5m,1h` -> timeframes sorted shortest first; throws InputError on an unknown or repeated one. */
export function parseTimeframeList(text: string, what: string): Timeframe[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new InputError(`${what}: no timeframe given`);
  const seen = new Set<Timeframe>();
  for (const item of items) {
    if (!Object.hasOwn(timeframeMs, item)) {
      throw new InputError(`${what}: unknown timeframe "${item}" (known: ${knownTimeframes.join(', ')})`);
    }
    seen.add(item as Timeframe);
  }
  return [...seen].sort((a, b) => timeframeMs[a] - timeframeMs[b]);
}

export function parseGapPolicy(text: string, what: string): GapPolicy {
  if (text === 'flat' || text === 'omit') return text;
  throw new InputError(`${what}: "${text}" must be flat or omit`);
}

export function parseBoolean(text: string, what: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(t)) return false;
  throw new InputError(`${what}: "${text}" must be true or false`);
}

/** Reads the stage's settings from environment-like variables; a bad value throws ConfigError naming it. */
export function parseTradeToOhlcConfig(env: Record<string, string | undefined>): TradeToOhlcConfig {
  const config: TradeToOhlcConfig = {
    ...defaultTradeToOhlcConfig,
    timeframes: [...defaultTradeToOhlcConfig.timeframes],
  };
  const read = <T>(variable: string, parse: (text: string) => T): T | undefined => {
    const text = env[variable];
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return parse(text.trim());
    } catch (err) {
      throw new ConfigError(
        variable,
        err instanceof InputError ? err.message.replace(`${variable}: `, '') : String(err),
      );
    }
  };
  config.timeframes = read('OHLC_TIMEFRAMES', (t) => parseTimeframeList(t, 'OHLC_TIMEFRAMES')) ?? config.timeframes;
  config.graceMs = read('OHLC_GRACE', (t) => parseDuration(t, 'OHLC_GRACE')) ?? config.graceMs;
  config.gaps = read('OHLC_GAPS', (t) => parseGapPolicy(t, 'OHLC_GAPS')) ?? config.gaps;
  const partial = read('OHLC_PARTIAL_INTERVAL', (t) => parseDuration(t, 'OHLC_PARTIAL_INTERVAL'));
  if (partial !== undefined) config.partialIntervalMs = partial > 0 ? partial : null;
  config.keepRepeats = read('OHLC_KEEP_REPEATS', (t) => parseBoolean(t, 'OHLC_KEEP_REPEATS')) ?? config.keepRepeats;
  return config;
}
