import { timeframeMs, type Trade } from '../../pipeline/index.ts';
import type { CandleRow } from '../../market/files/formats.ts';

// Candles replayed as trades, for the file source (SOURCE=file:ohlcv-csv:PATH): trade-to-ohlc only takes trades.
// Each candle becomes four trades inside its window, open first, then the extreme the price reached first (the
// high of a falling candle, the low of a rising one), the other extreme, and the close in the window's last
// millisecond, each with a quarter of the volume. trade-to-ohlc then rebuilds exactly the file's open, high, low
// and close for its timeframe and every longer one, and its volume up to float rounding; the trade count (4) and
// the VWAP are the replay's, not the market's. A candle of volume 0 (an exchange's flat filler) gives no trade.

/** How many leading rows tell the candles' timeframe (their smallest step). */
const LEARN_ROWS = 100;

function tradesOfCandle(row: CandleRow, lengthMs: number, exchange: string): Trade[] {
  if (!(row.volume > 0)) return [];
  const q = row.volume / 4;
  const [first, second] = row.close < row.open ? [row.high, row.low] : [row.low, row.high];
  const at = [
    row.start,
    row.start + Math.floor(lengthMs / 3),
    row.start + Math.floor((2 * lengthMs) / 3),
    row.start + lengthMs - 1,
  ];
  const prices = [row.open, first, second, row.close];
  return prices.map((price, k) => ({
    exchange,
    symbol: row.symbol,
    tradeId: `${row.start}.${k}`,
    price,
    quantity: q,
    side: null,
    timestamp: at[k]!,
  }));
}

/** The trades of a stream of candle rows; the timeframe is the rows' own or learned from their smallest step. */
export async function* tradesFromCandles(rows: AsyncIterable<CandleRow>, exchange: string): AsyncGenerator<Trade> {
  let lengthMs: number | null = null;
  const held: CandleRow[] = [];
  const learn = (): number => {
    let step = Number.POSITIVE_INFINITY;
    for (let i = 1; i < held.length; i += 1) {
      const d = held[i]!.start - held[i - 1]!.start;
      if (d > 0 && d < step) step = d;
    }
    // A single candle: take the shortest timeframe.
    return Number.isFinite(step) ? step : timeframeMs['1m'];
  };
  for await (const row of rows) {
    if (lengthMs === null) lengthMs = row.lengthMs;
    if (lengthMs === null) {
      held.push(row);
      if (held.length < LEARN_ROWS) continue;
      lengthMs = learn();
      for (const h of held.splice(0)) yield* tradesOfCandle(h, lengthMs, exchange);
      continue;
    }
    yield* tradesOfCandle(row, lengthMs, exchange);
  }
  if (held.length > 0) {
    const length = learn();
    for (const h of held) yield* tradesOfCandle(h, length, exchange);
  }
}
