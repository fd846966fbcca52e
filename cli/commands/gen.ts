import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../../pipeline/errors.ts';
import { renderStrimziUsers, strimziUsersExactlyOnceFile, strimziUsersFile } from '../../pipeline/gen/strimzi-users.ts';
import { renderStrimziTopics, strimziTopicsFile } from '../../pipeline/gen/strimzi.ts';
import { renderTypes, typesFile } from '../../schemas/generate-types.ts';
import type { Command } from '../command.ts';

const generators: Record<string, { file: string; render: () => string }[]> = {
  types: [{ file: typesFile, render: renderTypes }],
  strimzi: [
    { file: fileURLToPath(strimziTopicsFile), render: () => renderStrimziTopics() },
    { file: fileURLToPath(strimziUsersFile), render: () => renderStrimziUsers() },
    { file: fileURLToPath(strimziUsersExactlyOnceFile), render: () => renderStrimziUsers('candleflow', true) },
  ],
};

export const genCommand: Command = {
  name: 'gen',
  summary: 'regenerate files derived from the schemas and the catalogue',
  usage: `candleflow gen <${Object.keys(generators).join('|')}>`,
  async run(argv, io) {
    const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
    const generator = generators[positionals[0] ?? ''];
    if (!generator || positionals.length !== 1)
      throw new UsageError(`gen takes one of: ${Object.keys(generators).join(', ')}`);
    for (const { file, render } of generator) {
      writeFileSync(file, render());
      io.stdout.write(`wrote ${file}\n`);
    }
    return 0;
  },
};
