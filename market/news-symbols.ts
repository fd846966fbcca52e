import { readFileSync } from 'node:fs';
import { SYMBOL_PATTERN } from '../pipeline/index.ts';

// Which assets a headline mentions, from a dictionary of names and tickers per unified symbol. Names match in
// any case ("Bitcoin", "BITCOIN"); tickers only in upper case or after a `$` ("ETH", "$eth"), because many are
// words too (SOL, LINK, DOT, ONE) and a headline's "link" or "dot" is no coin. Multi-word names ("binance coin")
// match word by word. Words are runs of letters and digits, so "Bitcoin's" and "BTC-led" still match.

export interface SymbolAliases {
  /** Case-insensitive names, one or more words each. */
  names: readonly string[];
  /** Upper-case tickers, matched as written or after `$`. */
  tickers: readonly string[];
}

export type SymbolDictionary = Readonly<Record<string, SymbolAliases>>;

export const defaultSymbolDictionary: SymbolDictionary = {
  'BTC/USD': { names: ['bitcoin', 'bitcoins'], tickers: ['BTC', 'XBT'] },
  'ETH/USD': { names: ['ether', 'ethereum'], tickers: ['ETH'] },
  'SOL/USD': { names: ['solana'], tickers: ['SOL'] },
  'XRP/USD': { names: ['ripple', 'xrp'], tickers: ['XRP'] },
  'ADA/USD': { names: ['cardano'], tickers: ['ADA'] },
  'DOGE/USD': { names: ['dogecoin'], tickers: ['DOGE'] },
  'DOT/USD': { names: ['polkadot'], tickers: ['DOT'] },
  'LTC/USD': { names: ['litecoin'], tickers: ['LTC'] },
  'BNB/USD': { names: ['binance coin'], tickers: ['BNB'] },
  'AVAX/USD': { names: ['avalanche'], tickers: ['AVAX'] },
  'LINK/USD': { names: ['chainlink'], tickers: ['LINK'] },
};

const WORD = /\$?[\p{L}\p{N}]+/gu;

interface Matcher {
  symbol: string;
  /** Lower-cased words of each name. */
  names: string[][];
  tickers: Set<string>;
}

/** A function from text to the sorted, distinct symbols it mentions. */
export function symbolMatcher(dictionary: SymbolDictionary): (text: string) => string[] {
  const matchers: Matcher[] = Object.entries(dictionary).map(([symbol, a]) => ({
    symbol,
    names: a.names.map((n) => n.toLowerCase().match(WORD) ?? []).filter((w) => w.length > 0),
    tickers: new Set(a.tickers),
  }));
  return (text) => {
    const words = text.match(WORD) ?? [];
    const lower = words.map((w) => w.toLowerCase());
    const found = new Set<string>();
    for (const m of matchers) {
      const hit =
        words.some((w) => m.tickers.has(w.startsWith('$') ? w.slice(1).toUpperCase() : w)) ||
        m.names.some((name) => lower.some((_, i) => name.every((w, j) => lower[i + j] === w)));
      if (hit) found.add(m.symbol);
    }
    return [...found].sort();
  };
}

/** Checks a dictionary read from JSON; throws an Error naming the first bad entry. */
export function parseSymbolDictionary(value: unknown): SymbolDictionary {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('must be a JSON object of symbol -> { names, tickers }');
  const out: Record<string, SymbolAliases> = {};
  for (const [symbol, entry] of Object.entries(value as Record<string, unknown>)) {
    if (!SYMBOL_PATTERN.test(symbol)) throw new Error(`"${symbol}" is not a BASE/QUOTE symbol`);
    const e = (entry ?? {}) as Record<string, unknown>;
    const list = (key: 'names' | 'tickers'): string[] => {
      const v = e[key] ?? [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === ''))
        throw new Error(`${symbol}.${key} must be an array of non-empty strings`);
      return v as string[];
    };
    const tickers = list('tickers');
    const lowerTicker = tickers.find((t) => t !== t.toUpperCase());
    if (lowerTicker !== undefined) throw new Error(`${symbol}.tickers: "${lowerTicker}" must be upper case`);
    out[symbol] = { names: list('names'), tickers };
  }
  return out;
}

/** The dictionary in a JSON file (SENTIMENT_SYMBOLS), or the built-in one for an empty path. */
export function loadSymbolDictionary(path: string): SymbolDictionary {
  if (path === '') return defaultSymbolDictionary;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`symbol dictionary ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseSymbolDictionary(parsed);
  } catch (err) {
    throw new Error(`symbol dictionary ${path}: ${(err as Error).message}`, { cause: err });
  }
}
