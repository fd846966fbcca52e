import { parseArgs } from 'node:util';
import { catalogue, changelogs, deadLetterTopic } from '../../schemas/topics.ts';
import type { Command } from '../command.ts';

function retention(ms: number): string {
  if (ms < 0) return 'forever';
  const days = ms / 86_400_000;
  return Number.isInteger(days) ? `${days}d` : `${ms / 3_600_000}h`;
}

export const topicsCommand: Command = {
  name: 'topics',
  summary: 'print the topic catalogue (names, keys, partitions, retention, producers and consumers)',
  usage: 'candleflow topics [--json]\n\n  --json   one JSON array with an object per topic',
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true });
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
      deadLetterTopic: deadLetterTopic(t.name),
    }));
    if (values.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
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
        r.producers.join(','),
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
      `\nEvery topic has a dead-letter topic <topic>.dlq. State changelogs: ${changelogs.map((c) => c.name).join(', ')}.\n`,
    );
    return 0;
  },
};
