import { afterAll } from 'vitest';
import { createKafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { busContract } from '../../pipeline/testing/bus-contract.ts';
import { fastTuning } from '../support/kafka-harness.ts';
import {
  kafkaMockMissing,
  kafkaMockService,
  startKafkaMock,
  withMockTopicCreation,
  type KafkaMock,
} from '../support/kafka-mock.ts';
import { describeWithService } from '../support/services.ts';

// The same Bus contract the embedded bus passes (pipeline/bus/memory-bus.test.ts), on a real Kafka-protocol broker.

describeWithService(kafkaMockService, kafkaMockMissing(), 'kafkajs adapter', () => {
  let mock: KafkaMock | undefined;
  const started = async (): Promise<KafkaMock> => (mock ??= await startKafkaMock());
  afterAll(async () => mock?.stop());

  busContract(
    'kafkajs on the librdkafka mock broker',
    {
      createBus: async () => {
        const m = await started();
        return withMockTopicCreation(
          createKafkaBus(
            { brokers: m.brokers.split(','), clientId: 'contract', ssl: false },
            { log: silentLogger },
            fastTuning,
          ),
          m,
        );
      },
      createTopics: async (topics) => {
        const m = await started();
        for (const t of topics) await m.createTopic({ name: t.name, partitions: t.partitions });
      },
    },
    30_000,
  );
});
