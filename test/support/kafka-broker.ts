import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaConfig } from 'kafkajs';
import type { KafkaBusConfig } from '../../pipeline/bus/kafka/kafka-config.ts';
import { freePort, listedNodes } from '../kafka-broker/cluster-probe.ts';
import { formatNode } from '../kafka-broker/format-storage.ts';
import {
  type BrokerSetting,
  type ClusterSpec,
  installedKafkaVersion,
  javaBinary,
  jvmArguments,
  kafkaBrokerMissing,
  type NodeSpec,
  randomClusterId,
  type ScramUser,
} from '../kafka-broker/node-config.ts';
import { NodeProcess } from '../kafka-broker/node-process.ts';

// A real Apache Kafka 4 cluster in KRaft mode for integration tests (test/kafka-broker/): 1 or 3 combined
// broker+controller JVMs on free ports, each with its own data directory under one temp folder, that a test
// can stop, SIGKILL and restart one by one, keeping their data.

export { kafkaBrokerMissing, type ScramUser };
export const kafkaBrokerService = 'Apache Kafka test broker';

export interface KafkaClusterOptions {
  nodes?: 1 | 3;
  /** Broker settings over the harness defaults (test/kafka-broker/node-config.ts), e.g. `{ 'log.segment.bytes': 65536 }`. */
  config?: Readonly<Record<string, BrokerSetting>>;
  /** A SASL_PLAINTEXT listener with SCRAM-SHA-512 and StandardAuthorizer; `users` are created at format time. */
  sasl?: boolean | { users?: readonly ScramUser[] };
  /** JVM heap of each node (-Xmx). */
  heap?: string;
  /** More JVM options for the broker JVMs (e.g. -XX:DumpLoadedClassList=FILE). */
  jvmOptions?: readonly string[];
  /** Deadline of start() and startNode() (not a speed assertion). */
  startTimeoutMs?: number;
}

export interface KafkaNode {
  readonly id: number;
  /** host:port of the PLAINTEXT listener. */
  readonly address: string;
  /** host:port of the SASL_PLAINTEXT listener, when the cluster has one. */
  readonly saslAddress: string | null;
  readonly dir: string;
  readonly running: boolean;
  /** The JVM's pid while it runs. */
  readonly pid: number | null;
}

export interface KafkaCluster {
  readonly version: string;
  /** PLAINTEXT addresses of every node (running or not), for KAFKA_BROKERS. */
  readonly brokers: string[];
  readonly saslBrokers: string[];
  /** The SCRAM-SHA-512 super user, when the cluster has a SASL listener. */
  readonly superUser: ScramUser | null;
  readonly nodes: readonly KafkaNode[];
  /** The adapter's settings for this cluster: PLAINTEXT, or SASL as `user` when given. */
  busConfig(user?: ScramUser): KafkaBusConfig;
  /** kafkajs client settings, likewise. */
  kafkaConfig(user?: ScramUser): KafkaConfig;
  /** Clean shutdown of one node (SIGTERM; SIGKILL after 30 s). */
  stopNode(id: number): Promise<void>;
  /** SIGKILL: the node dies without a word, as a crashed pod does. */
  killNode(id: number): Promise<void>;
  /** Starts a stopped node again, on the same ports and data, and waits until the cluster lists it. */
  startNode(id: number): Promise<void>;
  /** Waits until every running node is listed by the cluster's metadata. */
  waitReady(): Promise<void>;
  /** The end of a node's broker log, for failure messages. */
  logTail(id: number, lines?: number): string;
  /** Kills every node and removes the data. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';

export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const missing = kafkaBrokerMissing();
  if (missing) throw new Error(`${kafkaBrokerService}: ${missing}`);
  const count = options.nodes ?? 1;
  const root = await mkdtemp(join(tmpdir(), 'candleflow-kafka-'));
  const nodes: NodeSpec[] = [];
  for (let id = 1; id <= count; id++) {
    const ports = {
      client: await freePort(),
      controller: await freePort(),
      sasl: options.sasl ? await freePort() : null,
    };
    nodes.push({ id, dir: join(root, `node-${id}`), ports });
  }
  const superUser: ScramUser | null = options.sasl ? { username: 'admin', password: 'admin-secret' } : null;
  const users = typeof options.sasl === 'object' ? (options.sasl.users ?? []) : [];
  const spec: ClusterSpec = {
    nodes,
    config: options.config ?? {},
    sasl: superUser ? { superUser, users } : null,
    heap: options.heap ?? '512m',
  };
  const cluster = new Cluster(spec, root, superUser, options.startTimeoutMs ?? 90_000, options.jvmOptions ?? []);
  try {
    await cluster.format(randomClusterId());
    await Promise.all(nodes.map((n) => cluster.launch(n.id)));
    await cluster.waitReady();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

class Cluster implements KafkaCluster {
  readonly version = installedKafkaVersion()!;
  private readonly processes = new Map<number, NodeProcess>();

  constructor(
    private readonly spec: ClusterSpec,
    private readonly root: string,
    readonly superUser: ScramUser | null,
    private readonly startTimeoutMs: number,
    private readonly jvmOptions: readonly string[],
  ) {}

  get brokers(): string[] {
    return this.spec.nodes.map((n) => `${host}:${n.ports.client}`);
  }

  get saslBrokers(): string[] {
    return this.spec.nodes.filter((n) => n.ports.sasl !== null).map((n) => `${host}:${n.ports.sasl}`);
  }

  get nodes(): KafkaNode[] {
    return this.spec.nodes.map((n) => {
      const p = this.processes.get(n.id);
      const running = p?.running ?? false;
      const saslAddress = n.ports.sasl === null ? null : `${host}:${n.ports.sasl}`;
      return {
        id: n.id,
        address: `${host}:${n.ports.client}`,
        saslAddress,
        dir: n.dir,
        running,
        pid: running ? p!.jvmPid : null,
      };
    });
  }

  busConfig(user?: ScramUser): KafkaBusConfig {
    if (!user) return { brokers: this.brokers, clientId: 'candleflow-test', ssl: false };
    return {
      brokers: this.saslBrokers,
      clientId: 'candleflow-test',
      ssl: false,
      sasl: { mechanism: 'scram-sha-512', ...user },
    };
  }

  kafkaConfig(user?: ScramUser): KafkaConfig {
    const { brokers, clientId, sasl } = this.busConfig(user);
    return {
      brokers,
      clientId,
      ...(sasl ? { sasl: { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password } } : {}),
    };
  }

  private node(id: number): NodeSpec {
    const node = this.spec.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`the cluster has no node ${id}`);
    return node;
  }

  async format(clusterId: string): Promise<void> {
    await Promise.all(this.spec.nodes.map((node) => formatNode(this.spec, node, clusterId)));
  }

  async launch(id: number): Promise<void> {
    const node = this.node(id);
    if (this.processes.get(id)?.running) throw new Error(`node ${id} is running already`);
    const logsDir = join(node.dir, 'logs');
    const jvm = { heap: this.spec.heap, logsDir, extra: this.jvmOptions };
    const args = jvmArguments(jvm, 'kafka.Kafka', [join(node.dir, 'server.properties')]);
    this.processes.set(id, await NodeProcess.start(javaBinary(), args, join(logsDir, 'console.log'), this.root));
  }

  async stopNode(id: number): Promise<void> {
    this.node(id);
    await this.processes.get(id)?.stop();
  }

  async killNode(id: number): Promise<void> {
    this.node(id);
    await this.processes.get(id)?.kill();
  }

  async startNode(id: number): Promise<void> {
    await this.launch(id);
    await this.waitReady();
  }

  async waitReady(): Promise<void> {
    const running = this.nodes.filter((n) => n.running);
    const wanted = running.map((n) => n.id);
    const deadline = Date.now() + this.startTimeoutMs;
    let last = 'no answer yet';
    for (;;) {
      for (const n of running) {
        const p = this.processes.get(n.id)!;
        if (!p.running) {
          const e = await p.exited;
          throw new Error(`Kafka node ${n.id} exited (${e.signal ?? e.code}) while starting:\n${this.logTail(n.id)}`);
        }
      }
      const listed: number[] = await listedNodes(running.map((n) => n.address)).catch((err: Error) => {
        last = err.message;
        return [];
      });
      if (wanted.every((id) => listed.includes(id))) return;
      if (listed.length > 0) last = `metadata lists nodes ${listed.join(',')} of ${wanted.join(',')}`;
      if (Date.now() > deadline) {
        throw new Error(
          `Kafka nodes ${wanted.join(',')} not ready after ${this.startTimeoutMs} ms (${last}):\n${this.logTail(running[0]!.id)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  logTail(id: number, lines = 40): string {
    const dir = join(this.node(id).dir, 'logs');
    const tail = (file: string) =>
      existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
    return [tail(join(dir, 'console.log')), tail(join(dir, 'server.log'))].filter(Boolean).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.kill()));
    await rm(this.root, { recursive: true, force: true });
  }
}
