import { runSentimentCommand } from '../../stages/sentiment/sentiment-command.ts';
import type { Command } from '../command.ts';

export const sentimentCommand: Command = {
  name: 'sentiment',
  summary: 'score a file of headlines with the sentiment stage code, one JSON line per headline',
  usage: 'candleflow sentiment --in FILE',
  ownHelp: true,
  run: (argv, io) => runSentimentCommand(argv, io),
};
