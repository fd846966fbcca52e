import { afterAll } from 'vitest';
import { createKafkaBus, type KafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { busContract } from '../../pipeline/testing/bus-contract.ts';
import { kafkaBrokerService } from '../support/kafka-broker.ts';
import { fastTuning } from '../support/kafka-harness.ts';
import { describeWithService } from '../support/services.ts';
import { sharedKafkaBroker } from '../support/shared-kafka-broker.ts';

// The same Bus contract the embedded bus passes (pipeline/bus/memory-bus.test.ts), on Apache Kafka: the run's
// shared broker, topics created over CreateTopics by the adapter's own ensureTopics (as a worker does at start).

const { broker, missing } = sharedKafkaBroker();

describeWithService(kafkaBrokerService, missing, 'kafkajs adapter', () => {
  const newBus = (): KafkaBus => createKafkaBus(broker!.busConfig('contract'), { log: silentLogger }, fastTuning);
  let admin: KafkaBus | undefined;
  afterAll(async () => admin?.close());

  busContract(
    `kafkajs on Apache Kafka ${broker?.version ?? ''}`,
    {
      createBus: async () => newBus(),
      createTopics: async (topics) => {
        admin ??= newBus();
        await admin.ensureTopics(topics);
      },
    },
    30_000,
  );
});
