import { CandleflowError, errorMessage } from '../pipeline/errors.ts';
import { wantsHelp, type CommandIO, type CommandListing } from './command.ts';

// Summaries live here, not in the command modules, so `candleflow --help` and an unknown command answer without
// importing any of them (each pulls in its stages and their libraries).
const commands: CommandListing[] = [
  {
    name: 'dev',
    summary: 'run every stage and the HTTP API in one process (embedded bus and Postgres unless configured)',
    load: async () => (await import('./commands/worker.ts')).devCommand,
  },
  {
    name: 'run',
    summary:
      'run one stage as a worker (health and metrics on METRICS_PORT), or `run api` for the predictions API on PORT',
    load: async () => (await import('./commands/worker.ts')).runCommand,
  },
  {
    name: 'topics',
    summary:
      'print the topic catalogue and check it against the stages (names, keys, partitions, producers, consumers)',
    load: async () => (await import('./commands/topics.ts')).topicsCommand,
  },
  {
    name: 'gen',
    summary: 'regenerate files derived from the schemas and the catalogue',
    load: async () => (await import('./commands/gen.ts')).genCommand,
  },
  {
    name: 'candles',
    summary:
      'aggregate a trade or candle file into candles with the trade-to-ohlc stage code, one JSON line per candle',
    load: async () => (await import('./commands/candles.ts')).candlesCommand,
  },
  {
    name: 'indicators',
    summary: 'compute the 20 indicators (TA-Lib definitions) over a candle file, one JSON line per candle',
    load: async () => (await import('./commands/indicators.ts')).indicatorsCommand,
  },
  {
    name: 'sentiment',
    summary: 'score a file of headlines with the sentiment stage code, one JSON line per headline',
    load: async () => (await import('./commands/sentiment.ts')).sentimentCommand,
  },
  {
    name: 'models',
    summary: 'register, list and activate models per task (the registry in Postgres)',
    load: async () => (await import('./commands/models.ts')).modelsCommand,
  },
];

/** Every command's name and summary (the CLI test checks them against the loaded commands). */
export const commandListings: readonly CommandListing[] = commands;

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'candleflow: live crypto trades to candles, features, predictions and signals on Kafka',
    '',
    'Usage: candleflow <command> [options]    (candleflow <command> --help for more)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Errors are one line, "candleflow <command>: <message>". Exit status: 0 done, 1 failed, 2 bad arguments,',
    'settings or input files.',
    '',
  ].join('\n');
}

/** Exit status 2: the user must change the command line, a setting or an input file; 1: it failed while working. */
function isUsageError(err: unknown): boolean {
  if (err instanceof CandleflowError)
    return ['CF_ERR_CONFIG', 'CF_ERR_USAGE', 'CF_ERR_INPUT', 'CF_ERR_TOPIC_MISMATCH'].includes(err.code);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('ERR_PARSE_ARGS') || code === 'ENOENT');
}

/** One line: `candleflow <command>: <message>`, the error's CF_ERR_* code after it when it failed at work. */
export function errorLine(command: string, err: unknown): string {
  const message = errorMessage(err).replace(/\s*\n\s*/g, ' ');
  const code = err instanceof CandleflowError && !isUsageError(err) ? ` (${err.code})` : '';
  return `candleflow ${command}: ${message}${code}\n`;
}

/** Runs the CLI; returns the exit code. Every failure is one line on stderr. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name ? 0 : 2;
  }
  const listing = commands.find((c) => c.name === name);
  if (!listing) {
    io.stderr.write(`candleflow: unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  try {
    const command = await listing.load();
    if (wantsHelp(rest) && !command.ownHelp) {
      io.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    io.stderr.write(errorLine(name, err));
    return isUsageError(err) ? 2 : 1;
  }
}
