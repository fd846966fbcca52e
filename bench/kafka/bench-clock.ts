import type { Trade } from '../../schemas/types.ts';

// What every side of the Kafka bench shares: the records, and a clock from a group's first batch to its last
// record (group joins are not counted).

export const RECORDS = 80_000;
export const PARTITIONS = 3;

export function trades(n: number): Trade[] {
  const symbols = ['BTC/USD', 'ETH/USD', 'SOL/USD', 'XRP/USD', 'ADA/USD', 'DOGE/USD'];
  return Array.from({ length: n }, (_, i) => ({
    exchange: 'kraken',
    symbol: symbols[i % symbols.length]!,
    tradeId: String(1_000_000 + i),
    price: 60_000 + (i % 1000) / 10,
    quantity: 0.001 * (1 + (i % 50)),
    side: i % 2 ? 'buy' : 'sell',
    timestamp: 1_717_000_000_000 + i * 37,
  }));
}

export async function timeUntil(total: () => number, start: () => number | null): Promise<number> {
  const deadline = Date.now() + 180_000;
  while (total() < RECORDS) {
    if (Date.now() > deadline) throw new Error(`bench stalled at ${total()} of ${RECORDS} records`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start()!;
}
