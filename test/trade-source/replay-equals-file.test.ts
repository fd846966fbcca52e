import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { boot, type Booted } from '../../cli/boot.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { waitFor } from '../support/kafka-harness.ts';
import type { Candle } from '../../schemas/types.ts';
import { runCandlesCommand } from '../../stages/trade-to-ohlc/candles-command.ts';

// A replay is the file: the worker (file source and trade-to-ohlc on the embedded bus, as `candleflow dev` runs
// them) closes every open window when the file ends, and so gives exactly the candles `candleflow candles` gives.

const file = fileURLToPath(new URL('../fixtures/trades/kraken_XBTUSD_20190701_00h_generic.csv', import.meta.url));

let worker: Booted | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

const key = (c: Pick<Candle, 'symbol' | 'timeframe' | 'start'>): string => `${c.symbol}|${c.timeframe}|${c.start}`;

async function commandCandles(): Promise<Record<string, unknown>[]> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (b: Buffer) => chunks.push(b));
  const code = await runCandlesCommand(['--in', file, '--format', 'csv'], { stdout, stderr: new PassThrough() });
  expect(code).toBe(0);
  return Buffer.concat(chunks)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('a file replay at max speed', () => {
  it('gives exactly the candles of candleflow candles, the last window of every timeframe included', async () => {
    const expected = await commandCandles();
    worker = await boot({
      env: { SOURCE: `file:csv:${file}`, REPLAY_SPEED: 'max', METRICS_PORT: '0', LOG_LEVEL: 'silent' },
      stages: ['trade-source', 'trade-to-ohlc'],
      mode: 'run',
      log: silentLogger,
    });
    const { bus, codec } = worker.worker;
    const got = new Map<string, Record<string, unknown>>();
    const sub = await bus.subscribe({
      groupId: 'replay-equals-file',
      topics: ['candles'],
      onBatch: async (b) => {
        for (const r of b.records) {
          const { final, ...candle } = (await codec.decode('candles', r.value)) as Candle;
          expect(final).toBe(true);
          got.set(key(candle), candle);
        }
      },
    });
    // The last hour, 4h and day of the file close only at its end.
    await waitFor('every candle of the file', () => got.size >= expected.length, 25_000).catch((err: Error) => {
      const missing = expected.filter((c) => !got.has(key(c as unknown as Candle))).map((c) => key(c as never));
      throw new Error(`${err.message}; ${got.size} of ${expected.length}, missing ${missing.join(', ')}`);
    });
    await sub.close();
    expect(expected.filter((c) => c.timeframe === '1d')).toHaveLength(1);
    const sorted = [...got.values()].sort((a, b) => key(a as never).localeCompare(key(b as never)));
    expect(sorted).toEqual([...expected].sort((a, b) => key(a as never).localeCompare(key(b as never))));
  });
});
