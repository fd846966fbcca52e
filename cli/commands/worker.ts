import { parseArgs } from 'node:util';
import { UsageError } from '../../pipeline/index.ts';
import { stageEntries } from '../../stages/index.ts';
import { boot, exitOnSignals, workerNames } from '../boot.ts';
import type { Command } from '../command.ts';

const forever = () => new Promise<number>(() => undefined);

export const devCommand: Command = {
  name: 'dev',
  summary: 'run every stage and the HTTP API in one process (embedded bus and Postgres unless configured)',
  usage:
    'candleflow dev\n\nConfigured by environment variables (see README): PORT, LOG_LEVEL, KAFKA_BROKERS, DATABASE_URL, ...',
  async run(argv, io) {
    parseArgs({ args: argv, options: {}, strict: true });
    exitOnSignals(await boot({ env: io.env, stages: stageEntries.map((e) => e.name), mode: 'dev' }));
    return forever();
  },
};

export const runCommand: Command = {
  name: 'run',
  summary:
    'run one stage as a worker (health and metrics on METRICS_PORT), or `run api` for the predictions API on PORT',
  usage: `candleflow run <stage>\n\nStages: ${workerNames.join(', ')}`,
  async run(argv, io) {
    const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new UsageError('run takes exactly one stage name');
    const api = positionals[0] === 'api';
    exitOnSignals(await boot({ env: io.env, stages: api ? [] : positionals, mode: api ? 'api' : 'run' }));
    return forever();
  },
};
