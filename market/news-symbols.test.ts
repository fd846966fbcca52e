import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSymbolDictionary, loadSymbolDictionary, parseSymbolDictionary, symbolMatcher } from './news-symbols.ts';

const match = symbolMatcher(defaultSymbolDictionary);

describe('symbolMatcher', () => {
  it('finds names in any case and tickers in upper case or after $', () => {
    expect(match("Bitcoin's rally lifts ETH, SOL and $doge")).toEqual(['BTC/USD', 'DOGE/USD', 'ETH/USD', 'SOL/USD']);
    expect(match('XBT futures open; ether slides')).toEqual(['BTC/USD', 'ETH/USD']);
    expect(match('BITCOIN-led selloff')).toEqual(['BTC/USD']);
  });

  it('does not take ordinary words for tickers, nor a word inside another', () => {
    expect(match('Click the link to see the sol de mayo dot chart')).toEqual([]);
    expect(match('Bitcoinist reports on the Ethernet cable market')).toEqual([]);
    expect(match('Fed holds rates')).toEqual([]);
  });

  it('matches multi-word names word by word', () => {
    expect(match('Binance Coin jumps')).toEqual(['BNB/USD']);
    expect(match('Binance fined; coin prices fall')).toEqual([]);
  });
});

describe('symbol dictionaries', () => {
  it('reads a JSON file, and refuses bad symbols, lower-case tickers and non-lists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'symbols-'));
    const file = join(dir, 'symbols.json');
    writeFileSync(file, JSON.stringify({ 'PEPE/USDT': { names: ['pepe coin'], tickers: ['PEPE'] } }));
    expect(symbolMatcher(loadSymbolDictionary(file))('Pepe Coin and bitcoin')).toEqual(['PEPE/USDT']);
    expect(loadSymbolDictionary('')).toBe(defaultSymbolDictionary);
    expect(() => parseSymbolDictionary({ bitcoin: { names: ['x'] } })).toThrow('"bitcoin" is not a BASE/QUOTE symbol');
    expect(() => parseSymbolDictionary({ 'BTC/USD': { tickers: ['btc'] } })).toThrow('"btc" must be upper case');
    expect(() => parseSymbolDictionary({ 'BTC/USD': { names: 'bitcoin' } })).toThrow('names must be an array');
    expect(() => parseSymbolDictionary([])).toThrow('must be a JSON object');
    writeFileSync(file, '{oops');
    expect(() => loadSymbolDictionary(file)).toThrow(`symbol dictionary ${file}:`);
  });
});
