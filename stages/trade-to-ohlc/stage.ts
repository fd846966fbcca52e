import {
  defineStage,
  emit,
  topics,
  type Candle,
  type Output,
  type StageDefinition,
  type Trade,
} from '../../pipeline/index.ts';
import { feedStatusOf } from '../../schemas/feed-status.ts';
import { unifySymbol } from '../../market/symbols.ts';
import { defaultTradeToOhlcConfig, type TradeToOhlcConfig } from './config.ts';
import { tradeTimeProblem } from './trade-bounds.ts';
import {
  applyTrade,
  closeDue,
  flushAll,
  initialSymbolState,
  partialCandles,
  type SymbolCandleState,
} from './symbol-candles.ts';

/**
 * The trade-to-ohlc worker: trades in, candles out, keyed state per symbol. The runner persists each symbol's
 * state (plain JSON) and restores it after a restart. Build it with the settings from
 * `parseTradeToOhlcConfig(process.env)`.
 */
export function createTradeToOhlcStage(
  config: TradeToOhlcConfig = defaultTradeToOhlcConfig,
): StageDefinition<Trade, SymbolCandleState> {
  // Process-local on purpose: after a restart the worker must first see a trade that arrived close to its
  // execution time before it lets the wall clock close anything; a backlog being replayed never does.
  let latestLagMs: number | null = null;
  let lastPartialAt = Number.NEGATIVE_INFINITY;
  const partialSeen = new Map<string, number>();
  const tickMs = Math.min(1_000, config.partialIntervalMs ?? 1_000);
  const finals = (candles: Candle[]): Output[] => candles.map((c) => emit(topics.candles, c));

  return defineStage<Trade, SymbolCandleState>({
    name: 'trade-to-ohlc',
    description: 'Aggregates trades into UTC-aligned OHLCV candles per symbol and timeframe.',
    inputs: [topics.trades],
    outputs: [topics.candles, topics.candlesPartial],
    state: { initial: (key) => initialSymbolState(key), inputLost: (state) => ({ ...state, inputLost: true }) },
    // One rule for a symbol whichever way it comes in (the topic, a file, --symbol): ccxt's unified BASE/QUOTE.
    prepare: (trade) => {
      const symbol = unifySymbol(trade.symbol);
      return symbol === trade.symbol ? trade : { ...trade, symbol };
    },
    handle(record, ctx) {
      const status = feedStatusOf(record.headers);
      if (status === 'end') {
        // The source's input ended: no later trade of this symbol will come, so every open window closes.
        const out: Candle[] = [];
        flushAll(ctx.state, config, out);
        return finals(out);
      }
      if (status !== null) {
        ctx.state.feedDown = status === 'down';
        return [];
      }
      const now = ctx.now();
      // A trade far ahead of the wall clock or of its symbol's stream would close (and fill) windows up to its
      // time: dead-lettered as `future`, nothing changed.
      const problem = tradeTimeProblem(ctx.state, record.value, config, now);
      if (problem) throw problem;
      const out: Candle[] = [];
      // Throws LateRecordError for a trade whose window was already emitted: the runner dead-letters it.
      applyTrade(ctx.state, record.value, config, out, now);
      latestLagMs = now - record.value.timestamp;
      return finals(out);
    },
    tick: {
      intervalMs: tickMs,
      run(ctx) {
        const now = ctx.now();
        const outputs: Output[] = [];
        const caughtUp = latestLagMs !== null && latestLagMs <= config.graceMs + config.liveSlackMs;
        if (caughtUp) {
          for (const key of ctx.keys()) {
            const state = ctx.state(key);
            const out: Candle[] = [];
            const before = marks(state);
            closeDue(state, now, config, out);
            if (changed(state, before)) ctx.setState(key, state);
            outputs.push(...finals(out));
          }
        }
        if (config.partialIntervalMs !== null && now - lastPartialAt >= config.partialIntervalMs) {
          lastPartialAt = now;
          for (const key of ctx.keys()) {
            const state = ctx.state(key);
            if (partialSeen.get(key) === state.counts.applied) continue;
            partialSeen.set(key, state.counts.applied);
            const before = marks(state);
            for (const c of partialCandles(state, config)) outputs.push(emit(topics.candlesPartial, c));
            if (changed(state, before)) ctx.setState(key, state);
          }
        }
        return outputs;
      },
    },
    flush(ctx) {
      const outputs: Output[] = [];
      for (const key of ctx.keys()) {
        const state = ctx.state(key);
        const out: Candle[] = [];
        const before = marks(state);
        flushAll(state, config, out);
        if (changed(state, before)) ctx.setState(key, state);
        outputs.push(...finals(out));
      }
      return outputs;
    },
  });
}

/**
 * What the tick and flush can change in a symbol's state, and so what they must report to the runner (which
 * writes only reported keys to the changelog): the closed boundary, which closeThrough moves whenever it closes
 * anything (also when nothing is emitted: omitted gaps, no trade yet in a window), and the frames, rebuilt when
 * the timeframes differ from those the state was written under. Everything else closeThrough touches changes
 * only together with the boundary.
 */
function marks(state: SymbolCandleState): [number | null, SymbolCandleState['frames']] {
  return [state.closedBefore, state.frames];
}

function changed(state: SymbolCandleState, [closedBefore, frames]: ReturnType<typeof marks>): boolean {
  return state.closedBefore !== closedBefore || state.frames !== frames;
}

export const tradeToOhlcStage = createTradeToOhlcStage();
