import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  type Kafka,
  ResourcePatternTypes,
} from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stageAcls, type StageAcl } from '../../pipeline/gen/stage-acls.ts';
import { stageUserName } from '../../pipeline/gen/strimzi-users.ts';
import { createLocalRegistryCodec } from '../../pipeline/serde/local-registry-codec.ts';
import { allTopicSettings } from '../../schemas/topics.ts';
import type { Trade } from '../../schemas/types.ts';
import { spawnCandleflow, waitForLine } from '../support/cli-process.ts';
import {
  type KafkaCluster,
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
} from '../support/kafka-broker.ts';
import { describeWithService } from '../support/services.ts';
import { kafkajsClient, producerOptions } from './kafkajs-helpers.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';

// trade-to-ohlc as its own SCRAM user with exactly the ACLs `candleflow gen strimzi` gives it, on a broker with
// the standard authorizer: it works; with one right taken away it stops, naming the topic and the operation.

const stage = 'trade-to-ohlc';
const user = { username: stageUserName(stage), password: 'ohlc-secret' };
const codec = createLocalRegistryCodec();

const operation = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Describe: AclOperationTypes.DESCRIBE,
  DescribeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
} as const;

const resourceType = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  transactionalId: AclResourceTypes.TRANSACTIONAL_ID,
} as const;

function kafkajsAcls(acls: readonly StageAcl[]) {
  return acls.flatMap((a) =>
    a.operations.map((op) => ({
      resourceType: resourceType[a.resource.type],
      resourceName: a.resource.name,
      resourcePatternType:
        a.resource.patternType === 'prefix' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
      principal: `User:${user.username}`,
      host: '*',
      operation: operation[op],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

function trade(i: number, timestamp: number): Trade {
  return {
    exchange: 'test',
    symbol: 'BTC/USD',
    tradeId: String(i),
    price: 100 + i,
    quantity: 1,
    side: 'buy',
    timestamp,
  };
}

describeWithService(
  kafkaBrokerService,
  kafkaBrokerMissing(),
  'stage users with the generated ACLs (SASL/SCRAM, StandardAuthorizer)',
  () => {
    let cluster: KafkaCluster;
    let kafka: Kafka;
    let admin: Admin;

    beforeAll(async () => {
      cluster = await startKafkaCluster({ nodes: 1, sasl: { users: [user] } });
      kafka = kafkajsClient(cluster.kafkaConfig());
      admin = kafka.admin();
      await admin.connect();
      // Topics come from strimzi/topics.yaml in a managed cluster: the stage user may not create them.
      await admin.createTopics({
        topics: allTopicSettings().map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: t.cleanupPolicy }],
        })),
      });
      await admin.createAcls({ acl: kafkajsAcls(stageAcls(stage)) });
    }, 120_000);

    afterAll(async () => {
      await admin?.disconnect();
      await cluster?.stop();
    });

    const startWorker = (env: Record<string, string> = {}) =>
      spawnCandleflow(['run', stage], {
        ...env,
        KAFKA_BROKERS: cluster.saslBrokers.join(','),
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: user.username,
        KAFKA_SASL_PASSWORD: user.password,
        TOPIC_REPLICAS: '1',
        METRICS_PORT: '0',
        OHLC_TIMEFRAMES: '1m',
        SHUTDOWN_GRACE_MS: '3000',
      });

    async function sendTrades(trades: Trade[]): Promise<void> {
      const producer = kafka.producer(producerOptions);
      await producer.connect();
      const messages = await Promise.all(
        trades.map(async (t) => ({ key: t.symbol, value: await codec.encode('trades', 'Trade', t) })),
      );
      await producer.send({ topic: 'trades', acks: -1, messages });
      await producer.disconnect();
    }

    it('runs with exactly its ACLs, then stops naming the topic and operation when one is taken away', async () => {
      const minute = Date.UTC(2026, 0, 1, 12, 0);
      const values: Buffer[] = [];
      const candles = kafka.consumer({ groupId: 'test-candles', maxWaitTimeInMs: 100 });
      await candles.connect();
      await candles.subscribe({ topic: 'candles', fromBeginning: true });
      await candles.run({ eachMessage: async ({ message }) => void values.push(message.value!) });
      const worker = startWorker();
      let log = '';
      worker.stdout.on('data', (d: Buffer) => (log += d));
      try {
        await waitForLine(worker, /candleflow run ready/, 60_000);
        await sendTrades([trade(0, minute), trade(1, minute + 30_000), trade(2, minute + 65_000)]);
        await waitFor(() => values.length >= 1, 'a closed candle from the stage user', 60_000).catch((err: Error) => {
          throw new Error(
            `${err.message}; worker: ${log
              .split('\n')
              .filter((l) => /"level":[45]0/.test(l))
              .join('\n')}`,
          );
        });
        const candle = (await codec.decode('candles', values[0]!)) as Record<string, unknown>;
        expect(candle).toMatchObject({ symbol: 'BTC/USD', start: minute, open: 100, close: 101, trades: 2 });
      } finally {
        worker.kill('SIGTERM');
        await new Promise((r) => worker.once('exit', r));
        await candles.disconnect();
      }

      const writeCandles = kafkajsAcls(stageAcls(stage)).filter(
        (a) => a.resourceName === 'candles' && a.operation === AclOperationTypes.WRITE,
      );
      await admin.deleteAcls({ filters: writeCandles });
      const denied = startWorker();
      let stdout = '';
      denied.stdout.on('data', (d: Buffer) => (stdout += d));
      const exited = new Promise<number | null>((r) => denied.once('exit', r));
      await sendTrades([trade(3, minute + 125_000)]);
      expect(await exited).toBe(1);
      expect(stdout).toContain(
        'produce to candles: not authorized (TOPIC_AUTHORIZATION_FAILED): needs Write on topic candles',
      );

      // A right revoked under a running worker: it stops too, instead of idling "ready".
      await admin.createAcls({ acl: writeCandles });
      const revoked = startWorker();
      let revokedOut = '';
      revoked.stdout.on('data', (d: Buffer) => (revokedOut += d));
      const revokedExit = new Promise<number | null>((r) => revoked.once('exit', r));
      await waitForLine(revoked, /candleflow run ready/, 60_000);
      const readTrades = kafkajsAcls(stageAcls(stage)).filter(
        (a) => a.resourceName === 'trades' && a.operation === AclOperationTypes.READ,
      );
      await admin.deleteAcls({ filters: readTrades });
      await sendTrades([trade(4, minute + 190_000)]);
      expect(await revokedExit).toBe(1);
      expect(revokedOut).toContain('needs Read on topic trades');
    }, 300_000);

    it('exactly-once: works with the transactional-id rights of users-exactly-once.yaml, stops naming them without', async () => {
      const eos = { PROCESSING_GUARANTEE: 'exactly-once', INSTANCE_ID: 'acl-test' };
      const transactional = kafkajsAcls(stageAcls(stage, { exactlyOnce: true })).filter(
        (a) => a.resourceType === AclResourceTypes.TRANSACTIONAL_ID,
      );
      expect(transactional.map((a) => a.resourceName)).toEqual([
        'candleflow.trade-to-ohlc.',
        'candleflow.trade-to-ohlc.',
      ]);
      // The previous test took Read on trades away.
      await admin.createAcls({ acl: kafkajsAcls(stageAcls(stage)) });

      const refused = startWorker(eos);
      let refusedOut = '';
      refused.stdout.on('data', (d: Buffer) => (refusedOut += d));
      refused.stderr.on('data', (d: Buffer) => (refusedOut += d));
      expect(await new Promise<number | null>((r) => refused.once('exit', r))).not.toBe(0);
      expect(refusedOut).toContain('needs Write on transactionalId candleflow.trade-to-ohlc.acl-test');

      await admin.createAcls({ acl: transactional });
      const minute = Date.UTC(2026, 0, 1, 13, 0);
      const values: Buffer[] = [];
      const candles = kafka.consumer({ groupId: 'test-candles-eos', maxWaitTimeInMs: 100 });
      await candles.connect();
      await candles.subscribe({ topic: 'candles', fromBeginning: false });
      const worker = startWorker(eos);
      try {
        await waitForLine(worker, /candleflow run ready/, 60_000);
        await candles.run({ eachMessage: async ({ message }) => void values.push(message.value!) });
        await sendTrades([trade(10, minute), trade(11, minute + 65_000)]);
        // The window the previous test left open closes first, with flat candles up to this one.
        const decoded: Record<string, unknown>[] = [];
        await waitFor(
          async () => {
            for (const v of values.splice(0))
              decoded.push((await codec.decode('candles', v)) as Record<string, unknown>);
            return decoded.some((c) => c.start === minute);
          },
          'the closed candle written in a transaction',
          60_000,
        );
        expect(decoded.find((c) => c.start === minute)).toMatchObject({ open: 110, close: 110, trades: 1 });
      } finally {
        worker.kill('SIGTERM');
        await new Promise((r) => worker.once('exit', r));
        await candles.disconnect();
      }
    }, 180_000);
  },
);
