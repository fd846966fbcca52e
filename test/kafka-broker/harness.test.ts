import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { repoRoot } from '../support/cli-process.ts';
import {
  type KafkaCluster,
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
} from '../support/kafka-broker.ts';
import { describeWithService } from '../support/services.ts';
import { type SharedKafkaBroker, startSharedBroker } from './global-setup.ts';
import { createTopic, kafkajsClient, producerOptions, readTopic } from './kafkajs-helpers.ts';
import { javaProblem } from './node-config.ts';

// The harness itself: restarts keep data, settings reach the brokers, nothing outlives the test process,
// and the vitest global setup provides a broker or says why not.

/** Gone, or a zombie nobody reaped yet (its memory, files and ports are released either way). */
const gone = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
};

describeWithService(kafkaBrokerService, kafkaBrokerMissing(), 'Kafka broker test harness', () => {
  let cluster: KafkaCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await startKafkaCluster({
      nodes: 1,
      config: { 'log.segment.bytes': 2 * 1024 * 1024, 'min.insync.replicas': 1 },
    });
    kafka = kafkajsClient(cluster.kafkaConfig());
  }, 120_000);
  afterAll(() => cluster?.stop());

  it('passes broker settings through, with the defaults sized to one node', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }],
    });
    await admin.disconnect();
    const config = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(config).toMatchObject({
      'log.segment.bytes': String(2 * 1024 * 1024),
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'group.initial.rebalance.delay.ms': '0',
      'auto.create.topics.enable': 'false',
      'process.roles': 'broker,controller',
    });
    expect(cluster.version).toMatch(/^4\.\d+\.\d+$/);
  });

  it('keeps a node’s data through a clean stop and through SIGKILL, on the same address', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = await createTopic(admin, 'kept', { numPartitions: 1 });
    const producer = kafka.producer(producerOptions);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'before-stop' }] });
    const [first] = cluster.nodes;
    await cluster.stopNode(1);
    expect(cluster.nodes[0]).toMatchObject({ running: false, pid: null });
    expect(gone(first!.pid!)).toBe(true);
    await cluster.startNode(1);
    await producer.send({ topic, acks: -1, messages: [{ value: 'before-kill' }] });
    const second = cluster.nodes[0]!.pid!;
    await cluster.killNode(1);
    expect(gone(second)).toBe(true);
    await cluster.startNode(1);
    expect(cluster.nodes[0]!.address).toBe(first!.address);
    await producer.send({ topic, acks: -1, messages: [{ value: 'after-kill' }] });
    await producer.disconnect();
    expect((await readTopic(kafka, admin, topic)).map((r) => r.value)).toEqual([
      'before-stop',
      'before-kill',
      'after-kill',
    ]);
    await admin.disconnect();
  }, 120_000);

  it('leaves no JVM and no data behind when the process that started the cluster is SIGKILLed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/kafka-broker/start-cluster.ts', '--nodes', '1'], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`start-cluster.ts exited (${code}) before printing`)));
    });
    const started = JSON.parse(line) as { pids: number[]; brokers: string };
    expect(started.pids.every((pid) => !gone(pid))).toBe(true);
    const dataDir = dirname(
      readFileSync(`/proc/${started.pids[0]}/cmdline`, 'utf8')
        .split('\0')
        .find((a) => a.endsWith('server.properties'))!,
    );
    expect(existsSync(dataDir)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => started.pids.every(gone), 'the orphaned JVM to be killed', 20_000);
    await waitFor(() => !existsSync(dataDir), 'the orphaned data to be removed', 20_000);
  }, 120_000);

  it('global setup: provides a broker (PLAINTEXT and SCRAM) and stops it at teardown', async () => {
    let provided: SharedKafkaBroker | null | undefined;
    const teardown = await startSharedBroker({ provide: (_key, value) => void (provided = value) }, null);
    try {
      expect(provided).toMatchObject({ version: cluster.version, superUser: { username: 'admin' } });
      const viaSasl = kafkajsClient({
        brokers: provided!.saslBrokers.split(','),
        sasl: { mechanism: 'scram-sha-512', ...provided!.superUser },
      });
      const admin = viaSasl.admin();
      await admin.connect();
      const topic = await createTopic(admin, uniqueName('shared'));
      expect(await admin.listTopics()).toContain(topic);
      await admin.disconnect();
    } finally {
      await teardown();
    }
    const after = kafkajsClient({ brokers: provided!.brokers.split(','), retry: { retries: 0 } }).admin();
    await expect(after.connect()).rejects.toThrow(/ECONNREFUSED|Connection error/);
  }, 120_000);
});

it('global setup without a broker: provides null and warns, or fails on one line when services are required', async () => {
  const saved = process.env.CANDLEFLOW_REQUIRE_SERVICES;
  try {
    delete process.env.CANDLEFLOW_REQUIRE_SERVICES;
    let provided: SharedKafkaBroker | null | undefined;
    await startSharedBroker({ provide: (_key, value) => void (provided = value) }, 'no jars here');
    expect(provided).toBeNull();
    process.env.CANDLEFLOW_REQUIRE_SERVICES = '1';
    const failure = await startSharedBroker({ provide: () => undefined }, 'no jars here').catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      'Apache Kafka test broker is not available (no jars here); it is required (CANDLEFLOW_REQUIRE_SERVICES=1)',
    );
    expect((failure as Error).stack).toBe((failure as Error).message);
  } finally {
    if (saved === undefined) delete process.env.CANDLEFLOW_REQUIRE_SERVICES;
    else process.env.CANDLEFLOW_REQUIRE_SERVICES = saved;
  }
});

it('names a missing or unusable java', () => {
  expect(javaProblem('/nonexistent/bin/java')).toMatch(/^\/nonexistent\/bin\/java does not run/);
});
