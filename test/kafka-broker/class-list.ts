import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startKafkaCluster } from '../support/kafka-broker.ts';
import { brokerHome } from './node-config.ts';
import { collect, createTopic, kafkajsClient, producerOptions, readTopic } from './kafkajs-helpers.ts';
import { sendOffsetsRetrying } from '../../pipeline/bus/kafka/kafkajs-workarounds.ts';

// Regenerates class-list.gz, the classes a broker loads while it starts and serves what the test suites ask
// of it (topics, groups, transactions, SASL), from which install.sh builds the class-data-sharing archive.
// Run it after changing pom.xml: `npx tsx test/kafka-broker/class-list.ts`.

const work = await mkdtemp(join(tmpdir(), 'kafka-class-list-'));
const list = join(work, 'classes.lst');
// -Xshare:off: classes must be listed as loaded from the jars, not from an archive made earlier.
const cluster = await startKafkaCluster({
  nodes: 1,
  sasl: true,
  jvmOptions: ['-Xshare:off', `-XX:DumpLoadedClassList=${list}`],
});
try {
  const kafka = kafkajsClient(cluster.kafkaConfig(cluster.superUser!));
  const admin = kafka.admin();
  await admin.connect();
  const topic = await createTopic(admin, 'classes', {
    numPartitions: 2,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  });
  const producer = kafka.producer({
    ...producerOptions,
    transactionalId: 'class-list',
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const tx = await producer.transaction();
  await tx.send({ topic, messages: [{ key: 'k', value: 'v' }] });
  await sendOffsetsRetrying(tx, {
    consumerGroupId: 'class-list',
    topics: [{ topic, partitions: [{ partition: 0, offset: '0' }] }],
  });
  await tx.commit();
  await producer.disconnect();
  const member = await collect(kafka, topic, { groupId: 'class-list-group' });
  await readTopic(kafka, admin, topic, { readUncommitted: false });
  await member.stop();
  await admin.disconnect();
  // A clean exit, so that the JVM writes the whole list.
  await cluster.stopNode(1);
  const text = await readFile(list);
  await writeFile(join(brokerHome, 'class-list.gz'), gzipSync(text, { level: 9 }));
  process.stdout.write(`class-list.gz: ${text.toString().split('\n').length} lines\n`);
} finally {
  await cluster.stop();
  await rm(work, { recursive: true, force: true });
}
