import { CandleflowError, errorMessage, type ErrorCode } from '../pipeline/errors.ts';
import { wantsHelp, type Command, type CommandIO } from './command.ts';
import { candlesCommand } from './commands/candles.ts';
import { genCommand } from './commands/gen.ts';
import { indicatorsCommand } from './commands/indicators.ts';
import { modelsCommand } from './commands/models.ts';
import { topicsCommand } from './commands/topics.ts';
import { devCommand, runCommand } from './commands/worker.ts';

const commands: Command[] = [
  devCommand,
  runCommand,
  topicsCommand,
  genCommand,
  candlesCommand,
  indicatorsCommand,
  modelsCommand,
];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'candleflow: live crypto trades to candles, features, predictions and signals on Kafka',
    '',
    'Usage: candleflow <command> [options]    (candleflow <command> --help for more)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

// Mistakes the user fixes in what they gave or set up (settings, arguments, files, topics): exit 2.
const exitTwo: readonly ErrorCode[] = ['CF_ERR_CONFIG', 'CF_ERR_USAGE', 'CF_ERR_INPUT', 'CF_ERR_TOPIC_MISMATCH'];

/** Runs the CLI; returns the exit code. Every failure is one line on stderr. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`candleflow: unknown command "${name}"\n${help()}`);
    return 2;
  }
  if (wantsHelp(rest) && !command.ownHelp) {
    io.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    const usage =
      err instanceof CandleflowError
        ? exitTwo.includes(err.code)
        : ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ?? false);
    const code = err instanceof CandleflowError ? `${err.code}: ` : '';
    io.stderr.write(`candleflow ${name}: ${code}${errorMessage(err)}\n`);
    return usage ? 2 : 1;
  }
}
