import { InputError } from '../../pipeline/index.ts';
import type { Candle, Trade } from '../../schemas/types.ts';

// What a file layout is: a parser per file, from one line and its 1-based number to a record (or null for a
// header or blank line). The layouts themselves are in formats.ts (trades) and candle-formats.ts (candles).

export interface ParseContext {
  /** Symbol for layouts without one (Binance dumps, Kraken OHLCVT), or an override. */
  symbol: string | null;
  exchange: string;
}

export interface TradeFormat {
  kind: 'trades';
  name: string;
  /** Returns a fresh parser (it may remember the header's column order). */
  parser(ctx: ParseContext): (line: string, lineNumber: number) => Trade | null;
}

export interface CandleFormat {
  kind: 'candles';
  name: string;
  parser(ctx: ParseContext): (line: string, lineNumber: number) => CandleRow | null;
}

/** A candle read from a file: its timeframe may be unknown (Kraken's files do not say). */
export interface CandleRow extends Omit<Candle, 'timeframe' | 'end' | 'final'> {
  /** Window length if the row says (Binance's close_time); else null. */
  lengthMs: number | null;
}

export type FileFormat = TradeFormat | CandleFormat;

export function needSymbol(ctx: ParseContext, format: string): string {
  if (ctx.symbol === null) throw new InputError(`${format} files do not name their symbol: give --symbol`);
  return ctx.symbol;
}
