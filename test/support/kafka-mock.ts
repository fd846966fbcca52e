import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { allTopicSettings } from '../../schemas/topics.ts';

// librdkafka's mock cluster (test/kafka-mock/mock-cluster.c) as a child process: a real Kafka-protocol broker
// without Apache Kafka. It has no CreateTopics, so topics are created through its stdin; and it creates any
// topic a client asks metadata for with 4 partitions, so tests create theirs first with the right count.

export const mockClusterBinary = fileURLToPath(new URL('../kafka-mock/mock-cluster', import.meta.url));

export const kafkaMockService = 'Kafka mock broker';

/** Why the mock broker cannot run, or null when it can. */
export function kafkaMockMissing(): string | null {
  return existsSync(mockClusterBinary)
    ? null
    : `${mockClusterBinary} is missing; build it with test/kafka-mock/install.sh`;
}

export interface MockTopic {
  name: string;
  partitions: number;
}

/** Every topic the pipeline needs (catalogue, dead-letter topics, changelogs), with their partition counts. */
export function catalogueTopics(): MockTopic[] {
  return allTopicSettings().map(({ name, partitions }) => ({ name, partitions }));
}

export interface KafkaMock {
  /** Bootstrap servers, comma-separated (KAFKA_BROKERS). */
  brokers: string;
  createTopic(topic: MockTopic): Promise<void>;
  /** The next `count` requests of Kafka API `apiKey` (0 = Produce, 8 = OffsetCommit...) fail with `errorCode`. */
  failRequests(apiKey: number, errorCode: number, count: number): Promise<void>;
  stop(): Promise<void>;
}

export interface KafkaMockOptions {
  brokers?: 1 | 3;
  /** Default: every catalogue topic and DLQ. */
  topics?: readonly MockTopic[];
}

export async function startKafkaMock(options: KafkaMockOptions = {}): Promise<KafkaMock> {
  const topics = options.topics ?? catalogueTopics();
  const child = spawn(
    mockClusterBinary,
    ['-b', String(options.brokers ?? 1), ...topics.map((t) => `${t.name}:${t.partitions}`)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const replies = lineQueue(lines, child, () => stderr);
  const brokers = await replies.next();

  const command = async (text: string): Promise<void> => {
    child.stdin.write(`${text}\n`);
    const reply = await replies.next();
    if (reply !== 'ok') throw new Error(`mock-cluster ${text}: ${reply}`);
  };
  return {
    brokers,
    createTopic: (t) => command(`topic ${t.name}:${t.partitions}`),
    failRequests: (apiKey, errorCode, count) => command(`fail ${apiKey} ${errorCode} ${count}`),
    stop: () => stopChild(child),
  };
}

function lineQueue(lines: Interface, child: ChildProcessWithoutNullStreams, stderr: () => string) {
  const buffered: string[] = [];
  const waiting: Array<{ resolve(line: string): void; reject(err: Error): void }> = [];
  let exited: Error | null = null;
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (w) w.resolve(line);
    else buffered.push(line);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`mock-cluster exited (${signal ?? code}): ${stderr().trim()}`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  child.on('error', (err) => {
    exited = err;
    for (const w of waiting.splice(0)) w.reject(err);
  });
  return {
    next(): Promise<string> {
      const line = buffered.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (exited) return Promise.reject(exited);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

async function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
