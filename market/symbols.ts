// Exchange pair names to the unified BASE/QUOTE form ccxt uses (XBTUSD -> BTC/USD, BTCUSDT -> BTC/USDT).

const quotes = [
  'USDT',
  'USDC',
  'FDUSD',
  'BUSD',
  'TUSD',
  'DAI',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'TRY',
  'BTC',
  'XBT',
  'ETH',
  'BNB',
];
const aliases: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };

function asset(code: string): string {
  return aliases[code] ?? code;
}

export function unifySymbol(raw: string): string {
  const text = raw.trim().toUpperCase();
  const parts = text.split(/[/\-_:]/).filter((p) => p.length > 0);
  if (parts.length === 2) return `${asset(parts[0]!)}/${asset(parts[1]!)}`;
  for (const quote of quotes) {
    // A base of at least 3 letters: XBTUSD is XBT/USD, not XB/TUSD.
    if (text.length >= quote.length + 3 && text.endsWith(quote)) {
      return `${asset(text.slice(0, -quote.length))}/${asset(quote)}`;
    }
  }
  return text;
}

/** Binance dump names start with the pair: BTCUSDT-aggTrades-2024-01-01.csv. */
export function symbolFromFileName(path: string): string | null {
  const base = path.split(/[\\/]/).pop() ?? '';
  const match = /^([A-Za-z0-9]+)-/.exec(base);
  return match ? unifySymbol(match[1]!) : null;
}
