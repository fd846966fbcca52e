import { type Admin, type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { createLocalRegistryCodec } from '../../pipeline/serde/local-registry-codec.ts';
import type { Trade } from '../../schemas/types.ts';
import type { KafkaCluster } from '../../test/support/kafka-broker.ts';

// The drills' own Kafka clients, acting as the users around the workers: a producer of Avro trades, readers of
// the output topics that keep every value per key (duplicates included), and group lag.

export const codec = createLocalRegistryCodec();
export const eventStart = Date.UTC(2024, 0, 1);

export function client(cluster: KafkaCluster): Kafka {
  return new Kafka({
    ...cluster.kafkaConfig(),
    clientId: 'faults-bench',
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2_000 },
    connectionTimeout: 3_000,
  });
}

export function trade(symbol: string, i: number, price: number): Trade {
  return {
    exchange: 'test',
    symbol,
    tradeId: String(i),
    price,
    quantity: 0.5 + (i % 7) / 10,
    side: i % 3 === 0 ? 'sell' : 'buy',
    timestamp: eventStart + i * 1000,
  };
}

export async function producerOf(kafka: Kafka): Promise<Producer> {
  const p = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await p.connect();
  return p;
}

export async function send(producer: Producer, trades: readonly Trade[], chunk = 1_000): Promise<void> {
  for (let i = 0; i < trades.length; i += chunk) {
    const part = trades.slice(i, i + chunk);
    const messages = await Promise.all(
      part.map(async (t) => ({ key: t.symbol, value: await codec.encode('trades', 'Trade', t) })),
    );
    await producer.send({ topic: 'trades', acks: -1, messages });
  }
}

/** Every value of the topics read so far, per topic and key, in arrival order (JSON of the decoded record). */
export class OutputReader {
  readonly values = new Map<string, Map<string, string[]>>();
  records = 0;
  lastAt = 0;
  private consumer: Consumer | null = null;

  constructor(private readonly kafka: Kafka) {}

  async start(topics: readonly string[]): Promise<this> {
    for (const t of topics) this.values.set(t, new Map());
    this.consumer = this.kafka.consumer({ groupId: `faults-reader-${Date.now()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const value = JSON.stringify(await codec.decode(topic, message.value!));
        const byKey = this.values.get(topic)!;
        const key = message.key!.toString();
        byKey.set(key, [...(byKey.get(key) ?? []), value]);
        this.records++;
        this.lastAt = performance.now();
      },
    });
    return this;
  }

  keys(topic: string): number {
    return this.values.get(topic)?.size ?? 0;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Records beyond the first per key, and keys whose values differ from `expected` or among themselves. */
export function compare(
  got: ReadonlyMap<string, readonly string[]>,
  expected: ReadonlyMap<string, readonly string[]>,
): { compared: number; mismatches: string[]; duplicates: number } {
  const mismatches: string[] = [];
  let duplicates = 0;
  for (const [key, [want]] of expected) {
    const values = got.get(key) ?? [];
    duplicates += Math.max(0, values.length - 1);
    if (values.length === 0) mismatches.push(`${key}: missing`);
    else if (values.some((v) => v !== want)) mismatches.push(`${key}: ${values.join(' / ')} != ${want}`);
  }
  for (const key of got.keys()) if (!expected.has(key)) mismatches.push(`${key}: not expected`);
  return { compared: expected.size, mismatches, duplicates };
}

/** Records of `topic` not yet committed by `group` (end offset minus committed offset, over the partitions). */
export async function lag(admin: Admin, group: string, topic: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  let total = 0;
  for (const e of ends) {
    const c = Number(committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? -1);
    total += Number(e.offset) - Math.max(0, c);
  }
  return total;
}

/** Sum over the partitions of end offset minus start offset: every record ever written, before compaction. */
export async function offsetSpan(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
}

/**
 * Sets topic configs while keeping the topic's other dynamic ones: kafkajs's alterConfigs (non-incremental)
 * would otherwise reset everything it is not given, such as the catalogue's cleanup.policy.
 */
export async function setTopicConfig(admin: Admin, topic: string, entries: Record<string, string>): Promise<void> {
  const described = await admin.describeConfigs({ resources: [{ type: 2, name: topic }], includeSynonyms: false });
  const current = described.resources[0]!.configEntries.filter(
    (e) => e.configSource === 1 && !(e.configName in entries),
  );
  const configEntries = [
    ...current.map((e) => ({ name: e.configName, value: e.configValue })),
    ...Object.entries(entries).map(([name, value]) => ({ name, value })),
  ];
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries }] });
}

/** The partition leaders of `topic`, by partition. */
export async function leaders(admin: Admin, topic: string): Promise<number[]> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]!.partitions.sort((a, b) => a.partitionId - b.partitionId).map((p) => p.leader);
}
