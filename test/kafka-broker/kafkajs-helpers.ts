import { createRequire } from 'node:module';
import net from 'node:net';
import {
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type ITopicConfig,
  Kafka,
  type KafkaConfig,
  logLevel,
  type LogEntry,
  Partitioners,
} from 'kafkajs';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { createTopicsAndWait } from '../../pipeline/bus/kafka/kafkajs-workarounds.ts';

// kafkajs clients for the compatibility suites: quick retries, and every kafkajs log line kept so that a test
// can assert on what kafkajs said (the out-of-range reset is only ever announced by a log line).

export interface KafkajsLine {
  level: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'NOTHING';
  namespace: string;
  message: string;
  extra: Record<string, unknown>;
  entry: LogEntry;
}

export function kafkajsClient(config: KafkaConfig, lines: KafkajsLine[] = []): Kafka {
  return new Kafka({
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
    connectionTimeout: 3_000,
    ...config,
    logLevel: logLevel.INFO,
    logCreator: () => (entry: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...extra } = entry.log as LogEntry['log'] & { logger?: string };
      lines.push({ level: entry.label as KafkajsLine['level'], namespace: entry.namespace, message, extra, entry });
    },
  });
}

export const producerOptions = { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false };

/** Creates a topic with a name no other test uses; waits for its leaders. */
export async function createTopic(
  admin: Admin,
  prefix: string,
  spec: Omit<ITopicConfig, 'topic'> = {},
): Promise<string> {
  const topic = uniqueName(prefix);
  const created = await createTopicsAndWait(admin, [{ topic, ...spec }]);
  if (!created) throw new Error(`topic ${topic} existed already`);
  return topic;
}

export interface Received {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

export interface Collector {
  consumer: Consumer;
  records: Received[];
  /** Assignment of this member after each join. */
  assignments: Array<Record<string, number[]>>;
  crashes: Error[];
  /** Next offset to fetch per partition, from every batch kafkajs processed (also those with nothing to deliver). */
  positions: Map<number, number>;
  stop(): Promise<void>;
}

/** A consumer group member that keeps every record and commits after each batch (unless `commit` is false). */
export async function collect(
  kafka: Kafka,
  topic: string,
  options: Partial<ConsumerConfig> & { groupId: string; fromBeginning?: boolean; commit?: boolean },
): Promise<Collector> {
  const { fromBeginning = true, commit = true, ...config } = options;
  const consumer = kafka.consumer({
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
    ...config,
  });
  const collector: Collector = {
    consumer,
    records: [],
    assignments: [],
    crashes: [],
    positions: new Map(),
    stop: () => consumer.disconnect(),
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const next = Number(e.payload.lastOffset) + 1;
    collector.positions.set(e.payload.partition, Math.max(next, collector.positions.get(e.payload.partition) ?? 0));
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => collector.assignments.push(e.payload.memberAssignment));
  consumer.on(consumer.events.CRASH, (e) => collector.crashes.push(e.payload.error));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const m of batch.messages) {
        collector.records.push({
          partition: batch.partition,
          offset: Number(m.offset),
          key: m.key?.toString() ?? null,
          value: m.value?.toString() ?? '',
        });
        resolveOffset(m.offset);
      }
      if (commit && batch.messages.length > 0) {
        await consumer.commitOffsets([
          { topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
        ]);
      }
      await heartbeat();
    },
  });
  return collector;
}

/** Every record of a topic from its log start to its end when called, read by a throwaway group. */
export async function readTopic(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  options: { readUncommitted?: boolean } = {},
): Promise<Received[]> {
  const ends = await admin.fetchTopicOffsets(topic);
  const reader = await collect(kafka, topic, {
    groupId: uniqueName('reader'),
    commit: false,
    readUncommitted: options.readUncommitted ?? true,
  });
  try {
    // Judged by the fetch position, not by the records: transaction markers and compacted-away offsets are never delivered.
    const done = () => ends.every((e) => (reader.positions.get(e.partition) ?? Number(e.low)) >= Number(e.high));
    await waitFor(done, `reading ${topic} to its end`, 30_000, 50);
  } finally {
    await reader.stop();
  }
  return reader.records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** The broker's ApiVersions (v0, the version every broker answers), read over a raw socket. */
export function brokerApiVersions(address: string): Promise<ApiVersionRange[]> {
  const [host, port] = address.split(':');
  const clientId = Buffer.from('api-versions-probe');
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  request.writeInt32BE(request.length - 4, 0);
  request.writeInt16BE(18, 4); // ApiVersions
  request.writeInt16BE(0, 6);
  request.writeInt32BE(1, 8);
  request.writeInt16BE(clientId.length, 12);
  clientId.copy(request, 14);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: host!, port: Number(port) }, () => socket.write(request));
    let data = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < 4 + data.readInt32BE(0)) return;
      socket.end();
      const errorCode = data.readInt16BE(8);
      if (errorCode !== 0) return reject(new Error(`ApiVersions error ${errorCode}`));
      const count = data.readInt32BE(10);
      const ranges: ApiVersionRange[] = [];
      for (let i = 0, at = 14; i < count; i++, at += 6) {
        ranges.push({
          apiKey: data.readInt16BE(at),
          minVersion: data.readInt16BE(at + 2),
          maxVersion: data.readInt16BE(at + 4),
        });
      }
      resolve(ranges);
    });
    socket.on('error', reject);
  });
}

interface KafkajsRequests {
  requests: Record<string, { versions: string[] }>;
}

/** The request versions kafkajs implements, by API name and key (from its protocol tables, as pinned). */
export function kafkajsImplementedVersions(): Array<{ name: string; apiKey: number; versions: number[] }> {
  const require = createRequire(import.meta.url);
  const apiKeys = require('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;
  const { requests } = require('kafkajs/src/protocol/requests/index.js') as KafkajsRequests;
  return Object.entries(requests)
    .map(([name, def]) => ({ name, apiKey: apiKeys[name]!, versions: def.versions.map(Number) }))
    .filter((api) => api.versions.length > 0);
}
