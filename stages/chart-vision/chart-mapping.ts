// The affine maps between a rendered chart's pixels and (candle index, price). Everything that turns pixels back
// into prices (mask post-processing, training masks, overlays) goes through these functions, so a mask row means
// the same price to the trainer, the stage and the card test.

/** Where the candles and prices of one rendered window sit in its image. Plain data: JSON-serialisable. */
export interface ChartMapping {
  width: number;
  height: number;
  /** Start (epoch ms) of the window's first candle slot. */
  windowStart: number;
  timeframeMs: number;
  /** Candle slots in the window (a missing candle leaves its slot empty). */
  candles: number;
  /** Pixel column of slot 0's left edge. */
  x0: number;
  /** Pixels per candle slot (body + gap). */
  slot: number;
  /** Body width in pixels; the wick is the body's middle column. */
  bodyWidth: number;
  /** Price at the centre of row 0 and at the centre of row priceRows - 1 (padding included). */
  priceTop: number;
  priceBottom: number;
  /** Rows of the price pane, from row 0 (a volume pane, when there is one, lies below it). */
  priceRows: number;
}

/** Fractional row of a price (0 = top); rows outside [0, priceRows - 1] are off the chart. */
export function priceToY(m: ChartMapping, price: number): number {
  return ((m.priceTop - price) / (m.priceTop - m.priceBottom)) * (m.priceRows - 1);
}

/** Price at a (fractional) row. */
export function yToPrice(m: ChartMapping, y: number): number {
  return m.priceTop - (y / (m.priceRows - 1)) * (m.priceTop - m.priceBottom);
}

/** Price distance covered by one pixel row. */
export function pricePerPixel(m: ChartMapping): number {
  return (m.priceTop - m.priceBottom) / (m.priceRows - 1);
}

/** Column of a (fractional) candle index: index i lies on its wick column. */
export function indexToX(m: ChartMapping, index: number): number {
  return m.x0 + index * m.slot + Math.floor(m.bodyWidth / 2);
}

/** Candle index (fractional) of a column; the inverse of indexToX. */
export function xToIndex(m: ChartMapping, x: number): number {
  return (x - m.x0 - Math.floor(m.bodyWidth / 2)) / m.slot;
}

/** Slot of a candle start time in the window (fractional when the time is off the grid). */
export function timeToIndex(m: ChartMapping, time: number): number {
  return (time - m.windowStart) / m.timeframeMs;
}

/** Start time of a (fractional) candle index. */
export function indexToTime(m: ChartMapping, index: number): number {
  return m.windowStart + index * m.timeframeMs;
}

/** End of the window: end of its last slot. */
export function windowEnd(m: ChartMapping): number {
  return m.windowStart + m.candles * m.timeframeMs;
}
