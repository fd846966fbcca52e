import { readFileSync } from 'node:fs';
import type { Trade } from '../pipeline/index.ts';

// Synthetic trades drawn from the bundled real sample's distribution (gaps between trades, price returns,
// quantities, sides), generated chunk by chunk so 10M trades never exist at once.

const samplePath = new URL('../data-samples/trades/kraken_XBTUSD_20190701_00h_generic.csv', import.meta.url);

interface Distribution {
  gaps: number[];
  returns: number[];
  quantities: number[];
  sides: ('buy' | 'sell')[];
}

function loadDistribution(): Distribution {
  const rows = readFileSync(samplePath, 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));
  const d: Distribution = { gaps: [], returns: [], quantities: [], sides: [] };
  for (let i = 0; i < rows.length; i += 1) {
    const [ts, , price, qty, side] = rows[i]!;
    d.quantities.push(Number(qty));
    d.sides.push(side === 'buy' ? 'buy' : 'sell');
    if (i > 0) {
      const prev = rows[i - 1]!;
      d.gaps.push(Number(ts) - Number(prev[0]));
      d.returns.push(Math.log(Number(price) / Number(prev[2])));
    }
  }
  return d;
}

/** mulberry32: small, fast and seedable, so every run draws the same trades. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SyntheticTrades {
  private readonly d = loadDistribution();
  private readonly random = prng(42);
  private t = Date.UTC(2024, 0, 1);
  private price = 10_749.4;
  private id = 1;

  /** Fills `into` (reused between calls) with the next `n` trades. */
  next(n: number, into: Trade[]): Trade[] {
    const { gaps, returns, quantities, sides } = this.d;
    into.length = 0;
    for (let i = 0; i < n; i += 1) {
      const r = this.random();
      this.t += gaps[Math.floor(r * gaps.length)]!;
      this.price = Math.max(
        1,
        Math.round(this.price * Math.exp(returns[Math.floor(this.random() * returns.length)]!) * 10) / 10,
      );
      into.push({
        exchange: 'kraken',
        symbol: 'BTC/USD',
        tradeId: String(this.id++),
        price: this.price,
        quantity: quantities[Math.floor(this.random() * quantities.length)]!,
        side: sides[Math.floor(r * sides.length)]!,
        timestamp: this.t,
      });
    }
    return into;
  }
}
