import { runCandlesCommand } from '../../stages/trade-to-ohlc/candles-command.ts';
import type { Command } from '../command.ts';

export const candlesCommand: Command = {
  name: 'candles',
  summary: 'aggregate a trade or candle file into candles with the trade-to-ohlc stage code, one JSON line per candle',
  usage:
    'candleflow candles --in FILE --format csv|binance-aggtrades|binance-trades|kraken-ohlcvt|binance-klines [...]',
  ownHelp: true,
  run: (argv, io) => runCandlesCommand(argv, io),
};
