import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// What one KRaft node of the test cluster is started with: its server.properties, the storage tool's format
// command and the JVM's command line. Every node is a combined broker and controller, as in a small Strimzi
// cluster with KafkaNodePools of both roles.

export const brokerHome = fileURLToPath(new URL('.', import.meta.url));
export const brokerLib = join(brokerHome, 'lib');
export const runNodeScript = join(brokerHome, 'run-node.sh');
/** Class-data-sharing archive of the broker's classes, made by install.sh from class-list.gz (optional). */
export const classArchive = join(brokerLib, 'kafka.jsa');
const log4jConfig = join(brokerHome, 'log4j2.properties');

export type BrokerSetting = string | number | boolean;

export interface ScramUser {
  username: string;
  password: string;
}

export interface NodePorts {
  client: number;
  controller: number;
  /** SASL_PLAINTEXT (SCRAM-SHA-512) listener; null when the cluster has none. */
  sasl: number | null;
}

export interface NodeSpec {
  id: number;
  dir: string;
  ports: NodePorts;
}

export interface ClusterSpec {
  nodes: readonly NodeSpec[];
  /** Overrides of the defaults below, passed through as they are. */
  config: Readonly<Record<string, BrokerSetting>>;
  sasl: { superUser: ScramUser; users: readonly ScramUser[] } | null;
  heap: string;
}

const host = '127.0.0.1';

/** Kafka's Uuid text form (16 random bytes, base64url); like Uuid.randomUuid, never one that starts with '-'. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Defaults sized to the node count and to a 2-core machine; `spec.config` overrides any of them. */
function defaults(nodeCount: number): Record<string, BrokerSetting> {
  const replicas = nodeCount;
  const minIsr = Math.min(2, nodeCount);
  return {
    'num.partitions': 1,
    'default.replication.factor': replicas,
    'offsets.topic.replication.factor': replicas,
    // 50 partitions (the default) make the first group join wait for 50 coordinators to load.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': 5,
    'share.coordinator.state.topic.replication.factor': replicas,
    'share.coordinator.state.topic.min.isr': minIsr,
    'group.initial.rebalance.delay.ms': 0,
    // A SIGKILLed node can register again only once its old session has expired (9 s by default), and only
    // then are its partitions' leaders moved; shorter, with room left for a loaded 2-core machine.
    'broker.session.timeout.ms': 5_000,
    'broker.heartbeat.interval.ms': 1_000,
    // Candleflow creates its topics; a test that forgets one should see the error Strimzi users would see.
    'auto.create.topics.enable': false,
    // The cleaner's buffer is 128 MiB by default, a quarter of the test heap.
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
  };
}

export function serverProperties(spec: ClusterSpec, node: NodeSpec): string {
  const { ports } = node;
  const listeners = [`PLAINTEXT://${host}:${ports.client}`, `CONTROLLER://${host}:${ports.controller}`];
  const advertised = [`PLAINTEXT://${host}:${ports.client}`];
  if (ports.sasl !== null) {
    listeners.push(`SASL_PLAINTEXT://${host}:${ports.sasl}`);
    advertised.push(`SASL_PLAINTEXT://${host}:${ports.sasl}`);
  }
  const settings: Record<string, BrokerSetting> = {
    'process.roles': 'broker,controller',
    'node.id': node.id,
    'controller.quorum.voters': spec.nodes.map((n) => `${n.id}@${host}:${n.ports.controller}`).join(','),
    listeners: listeners.join(','),
    'advertised.listeners': advertised.join(','),
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(node.dir, 'data'),
    ...defaults(spec.nodes.length),
  };
  if (spec.sasl) {
    Object.assign(settings, {
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      // The PLAINTEXT and CONTROLLER listeners carry the nodes' own traffic and the harness's readiness checks
      // (principal ANONYMOUS); the SASL listener is where tests authenticate and where ACLs apply.
      'super.users': `User:${spec.sasl.superUser.username};User:ANONYMOUS`,
      'allow.everyone.if.no.acl.found': false,
    });
  }
  Object.assign(settings, spec.config);
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n')}\n`;
}

const scramText = /^[A-Za-z0-9._-]+$/;

/** Arguments of `kafka.tools.StorageTool`: format the node's directory, with the SCRAM users in its bootstrap metadata. */
export function formatArguments(spec: ClusterSpec, clusterId: string, propertiesFile: string): string[] {
  const args = ['format', '-t', clusterId, '-c', propertiesFile];
  if (spec.sasl) {
    for (const user of [spec.sasl.superUser, ...spec.sasl.users]) {
      if (!scramText.test(user.username) || !scramText.test(user.password)) {
        throw new Error(
          `SCRAM user ${user.username}: names and passwords may hold only letters, digits, '.', '_', '-'`,
        );
      }
      args.push('--add-scram', `SCRAM-SHA-512=[name=${user.username},password=${user.password}]`);
    }
  }
  return args;
}

export function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

export interface JvmOptions {
  heap: string;
  logsDir: string;
  /** More JVM options, after the harness's own. */
  extra?: readonly string[];
}

/** The JVM's arguments for `main` (kafka.Kafka or kafka.tools.StorageTool). */
export function jvmArguments(options: JvmOptions, main: string, args: readonly string[]): string[] {
  return [
    `-Xmx${options.heap}`,
    '-Xms64m',
    // One GC thread and the quick JIT only: start-up time and memory matter more here than throughput.
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    // Loading the broker's 7000 classes from a memory-mapped archive halves start-up on a busy 2-core machine;
    // a JVM other than the one that made it ignores it with a warning in console.log.
    ...(existsSync(classArchive) ? [`-XX:SharedArchiveFile=${classArchive}`] : []),
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfig}`,
    `-Dkafka.logs.dir=${options.logsDir}`,
    ...(options.extra ?? []),
    '-cp',
    `${brokerLib}/*`,
    main,
    ...args,
  ];
}

/** The Apache Kafka version in lib/ (from the kafka_2.13 jar's name), or null when it is not installed. */
export function installedKafkaVersion(): string | null {
  if (!existsSync(brokerLib)) return null;
  const jar = readdirSync(brokerLib).find((f) => /^kafka_2\.13-.+\.jar$/.test(f));
  return jar ? jar.slice('kafka_2.13-'.length, -'.jar'.length) : null;
}

/** Why `java` cannot run the broker (missing, older than 17), or null when it can. */
export function javaProblem(java: string): string | null {
  const run = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  const spec = /java\.specification\.version = (\d+)/.exec(run.stderr ?? '')?.[1];
  if (run.error || !spec) return `${java} does not run (${run.error?.message ?? run.stderr?.trim()})`;
  if (Number(spec) < 17) return `Kafka 4 needs Java 17 or newer, ${java} is Java ${spec}`;
  return null;
}

let javaChecked: string | null | undefined;

/** Why the test broker cannot run here (no Java 17+, jars not installed), or null when it can. */
export function kafkaBrokerMissing(): string | null {
  if (installedKafkaVersion() === null) return `${brokerLib} has no Kafka jars; run test/kafka-broker/install.sh`;
  javaChecked ??= javaProblem(javaBinary());
  return javaChecked;
}
