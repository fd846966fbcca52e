import { runIndicatorsCommand } from '../../stages/indicators/indicators-command.ts';
import type { Command } from '../command.ts';

export const indicatorsCommand: Command = {
  name: 'indicators',
  summary: 'compute the 20 indicators (TA-Lib definitions) over a candle file, one JSON line per candle',
  usage: 'candleflow indicators --in FILE',
  ownHelp: true,
  run: (argv, io) => runIndicatorsCommand(argv, io),
};
