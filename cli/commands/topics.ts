import { parseArgs } from 'node:util';
import { checkWiring } from '../../pipeline/runtime/index.ts';
import { catalogue, changelogs, deadLetterTopic } from '../../schemas/topics.ts';
import { stageEntries } from '../../stages/index.ts';
import type { Command } from '../command.ts';

function retention(ms: number): string {
  if (ms < 0) return 'forever';
  const days = ms / 86_400_000;
  return Number.isInteger(days) ? `${days}d` : `${ms / 3_600_000}h`;
}

export const topicsCommand: Command = {
  name: 'topics',
  summary: 'print the topic catalogue and check it against the stages (names, keys, partitions, producers, consumers)',
  usage:
    'candleflow topics [--json]\n\n  --json   { topics: [...], wiring: { ok, problems } }\n\nExits 1 when the catalogue and the stages disagree.',
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true });
    const wiring = checkWiring(stageEntries);
    const rows = catalogue.map((t) => ({
      name: t.name,
      description: t.description,
      schema: t.schema,
      key: t.key.join('|'),
      partitionKey: t.partitionKey.join('|'),
      partitions: t.partitions,
      replicas: t.replicas,
      retentionMs: t.retentionMs,
      cleanupPolicy: t.cleanupPolicy,
      producers: [...t.producers],
      consumers: [...t.consumers],
      external: t.external === true,
      deadLetterTopic: deadLetterTopic(t.name),
    }));
    const code = wiring.problems.length === 0 ? 0 : 1;
    if (values.json) {
      const report = { topics: rows, wiring: { ok: code === 0, problems: wiring.problems } };
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return code;
    }
    const table = [
      ['TOPIC', 'SCHEMA', 'KEY', 'PARTITIONS', 'RETENTION', 'CLEANUP', 'PRODUCERS', 'CONSUMERS'],
      ...rows.map((r) => [
        r.name,
        r.schema,
        r.key,
        `${r.partitions} by ${r.partitionKey}`,
        retention(r.retentionMs),
        r.cleanupPolicy,
        [...r.producers, ...(r.external ? ['(external)'] : [])].join(',') || '-',
        r.consumers.join(',') || '-',
      ]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table)
      io.stdout.write(
        `${row
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    io.stdout.write(
      `\nEvery topic has a dead-letter topic <topic>.dlq. State changelogs: ${changelogs.map((c) => c.name).join(', ')}.\n` +
        '(external): your own producers may write it.\n',
    );
    if (code === 0)
      io.stdout.write(`Wiring: the catalogue agrees with the ${stageEntries.length} stages of stages/index.ts.\n`);
    else for (const p of wiring.problems) io.stdout.write(`Wiring problem: ${p}\n`);
    return code;
  },
};
