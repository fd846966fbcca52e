import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type Output, type SourceContext, type StageLogger, type Trade } from '../../pipeline/index.ts';
import { ReplayPacer } from '../../market/replay-pacer.ts';
import { createTradeSource } from './source.ts';
import { bundledSamplePath, parseTradeSourceConfig, SAMPLE_REPLAY_SPEED } from './source-config.ts';

const silent: StageLogger = { debug() {}, info() {}, warn() {}, error() {} };

function collector(stopAfter: number): { ctx: SourceContext; trades: Trade[]; abort: AbortController } {
  const abort = new AbortController();
  const trades: Trade[] = [];
  const ctx: SourceContext = {
    async emit(outputs: readonly Output[]) {
      for (const o of outputs) trades.push(o.value as Trade);
      if (trades.length >= stopAfter) abort.abort();
    },
    signal: abort.signal,
    now: () => Date.now(),
    log: silent,
    setReady() {},
  };
  return { ctx, trades, abort };
}

describe('trade source settings', () => {
  it('defaults to the bundled sample at 60x', () => {
    expect(parseTradeSourceConfig({})).toMatchObject({
      source: { kind: 'sample', path: bundledSamplePath },
      replaySpeed: SAMPLE_REPLAY_SPEED,
    });
  });

  it('reads files and exchanges; files replay as fast as possible unless paced', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'source-config-')), 'a:b.csv');
    writeFileSync(path, 'timestamp,symbol,price,quantity,side\n');
    expect(parseTradeSourceConfig({ SOURCE: `file:csv:${path}` })).toMatchObject({
      source: { kind: 'file', format: 'csv', path },
      replaySpeed: null,
    });
    expect(parseTradeSourceConfig({ SOURCE: 'ccxt:kraken:BTC/USD,ETH/USD', REPLAY_SPEED: '10x' })).toMatchObject({
      source: { kind: 'ccxt', exchange: 'kraken', symbols: ['BTC/USD', 'ETH/USD'] },
      replaySpeed: 10,
    });
    expect(parseTradeSourceConfig({ REPLAY_SPEED: 'max' }).replaySpeed).toBeNull();
  });

  it('names the variable of a bad value', () => {
    for (const [env, variable] of [
      [{ SOURCE: 'ftp:x' }, 'SOURCE'],
      [{ SOURCE: 'file:excel:/x' }, 'SOURCE'],
      [{ SOURCE: 'file:csv:nope.csv' }, 'SOURCE'],
      [{ SOURCE: `file:csv:${tmpdir()}` }, 'SOURCE'],
      [{ SOURCE: 'file:kraken-ohlcvt:/x' }, 'SOURCE'],
      [{ SOURCE: 'ccxt:kraken:' }, 'SOURCE'],
      [{ SOURCE: 'ccxt:kraken:BTCUSD' }, 'SOURCE'],
      [{ REPLAY_SPEED: 'fast' }, 'REPLAY_SPEED'],
    ] as const) {
      expect(() => parseTradeSourceConfig(env)).toThrow(ConfigError);
      try {
        parseTradeSourceConfig(env);
      } catch (err) {
        expect((err as ConfigError).variable).toBe(variable);
      }
    }
  });
});

describe('replay pacing', () => {
  it('lets event time run `speed` times faster than the wall clock', () => {
    let now = 1_000;
    const pacer = new ReplayPacer(60, () => now);
    expect(pacer.delayFor(500_000)).toBe(0);
    expect(pacer.delayFor(560_000)).toBe(1_000);
    now += 400;
    expect(pacer.delayFor(560_000)).toBe(600);
    expect(new ReplayPacer(null, () => now).delayFor(1e12)).toBe(0);
  });
});

describe('bundled sample replay', () => {
  it('marks every record as a replay, with its loop', async () => {
    const abort = new AbortController();
    const headers: (Record<string, string> | undefined)[] = [];
    const ctx: SourceContext = {
      async emit(outputs: readonly Output[]) {
        for (const o of outputs) headers.push(o.headers);
        if (headers.length > 2672 + 1) abort.abort();
      },
      signal: abort.signal,
      now: () => Date.now(),
      log: silent,
      setReady() {},
    };
    await createTradeSource({ ...parseTradeSourceConfig({}), replaySpeed: null }).run(ctx);
    expect(headers[0]).toEqual({ 'candleflow-replay': 'loop=0;prices=file' });
    expect(headers[2672]).toEqual({ 'candleflow-replay': 'loop=1;prices=mirrored' });
  });

  it('loops the real trades forever, each loop an hour later', async () => {
    const { ctx, trades } = collector(2672 * 2 + 5);
    await createTradeSource({ ...parseTradeSourceConfig({}), replaySpeed: null }).run(ctx);
    expect(trades.length).toBeGreaterThanOrEqual(2672 * 2 + 5);
    const first = trades.slice(0, 2672);
    const second = trades.slice(2672, 2672 * 2);
    expect(first[0]).toMatchObject({
      exchange: 'kraken-sample-replay',
      symbol: 'BTC/USD',
      timestamp: 1561939203172,
      price: 10749.4,
    });
    second.forEach((t, i) => expect(t.timestamp - first[i]!.timestamp).toBe(3_600_000));
    expect(trades[2672 * 2]!.timestamp - first[0]!.timestamp).toBe(7_200_000);
    // Continuous: each loop opens at the price the last one closed at, the third is the file again.
    expect(second[0]!.price).toBe(first.at(-1)!.price);
    expect(trades[2672 * 2]!.price).toBeCloseTo(second.at(-1)!.price, 9);
    expect(trades[2672 * 2]).toMatchObject({ price: first[0]!.price, side: first[0]!.side });
  });
});
