import {
  defineConfig,
  InputError,
  settings,
  setting,
  timeframeMs,
  timeframes as knownTimeframes,
  type Timeframe,
} from '../../pipeline/index.ts';

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
  /** A trade later than the wall clock plus this is dead-lettered as `future`. */
  maxClockSkewMs: number;
  /**
   * A trade more than this ahead of its symbol's event time is dead-lettered as `future`, unless it is within
   * maxClockSkewMs of the wall clock (a live feed back after an outage).
   */
  maxJumpMs: number;
  /** More empty windows of the shortest timeframe than this in a row are a feed gap: no flat candles across it. */
  maxGapWindows: number;
}

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

export const tradeToOhlcConfig = defineConfig(
  {
    timeframes: setting('OHLC_TIMEFRAMES', {
      default: [...knownTimeframes] as Timeframe[],
      defaultText: knownTimeframes.join(','),
      doc: 'timeframes trade-to-ohlc builds',
      parse: (t) => parseTimeframeList(t, 'OHLC_TIMEFRAMES'),
    }),
    graceMs: settings.duration('OHLC_GRACE', {
      default: 2_000,
      min: 0,
      doc: "how long after a window's end a trade may still arrive",
    }),
    gaps: settings.oneOf('OHLC_GAPS', ['flat', 'omit'], {
      default: 'flat',
      doc: 'empty windows between two trades: `flat` candles at the previous close, or `omit`',
    }),
    partialIntervalMs: settings.duration('OHLC_PARTIAL_INTERVAL', {
      default: 0,
      defaultText: 'off',
      min: 0,
      doc: 'emit the open window so far to `candles.partial` at this interval (e.g. `5s`)',
    }),
    keepRepeats: settings.boolean('OHLC_KEEP_REPEATS', {
      default: false,
      doc: 'keep exact repeats of id-less trades instead of de-duplicating them',
    }),
    maxClockSkewMs: settings.duration('OHLC_MAX_CLOCK_SKEW', {
      default: 5 * 60_000,
      defaultText: '5m',
      min: 0,
      doc: 'a trade stamped later than the wall clock plus this goes to `trades.dlq` (reason `future`)',
    }),
    maxJumpMs: settings.duration('OHLC_MAX_JUMP', {
      default: 24 * 3_600_000,
      defaultText: '1d',
      min: 60_000,
      doc: "a trade this far ahead of its symbol's latest trade goes to `trades.dlq` (reason `future`), unless it is within `OHLC_MAX_CLOCK_SKEW` of the wall clock",
    }),
    maxGapWindows: settings.int('OHLC_MAX_GAP_WINDOWS', {
      default: 1_440,
      min: 0,
      doc: 'more empty windows of the shortest timeframe than this in a row are a feed gap: no flat candles across it',
    }),
  },
  (v): TradeToOhlcConfig => ({
    ...v,
    timeframes: [...v.timeframes],
    partialIntervalMs: v.partialIntervalMs > 0 ? v.partialIntervalMs : null,
    liveSlackMs: 5_000,
  }),
);

export const defaultTradeToOhlcConfig: Readonly<TradeToOhlcConfig> = tradeToOhlcConfig.compile({});

/** Reads the stage's settings from environment-like variables; a bad value throws ConfigError naming it. */
export function parseTradeToOhlcConfig(env: Readonly<Record<string, string | undefined>>): TradeToOhlcConfig {
  return tradeToOhlcConfig.compile(env);
}
