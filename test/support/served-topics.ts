import { Kafka, logLevel } from 'kafkajs';
import type { Bus, TopicSettings } from '../../pipeline/bus/bus.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';

// Topics created through the adapter (CreateTopics, as a worker does), then awaited until every partition's leader
// serves it. Kafka 4.4 in KRaft mode lists a new partition's leader in its metadata a moment before that broker
// serves the partition (createTopicsAndWait's wait is over by then): a Produce in between gets
// NOT_LEADER_OR_FOLLOWER for that partition, and kafkajs, whose producer is not idempotent here, sends the whole
// request again, so the request's other partitions get their records twice. Tests that count records exactly
// create their topics with this; ListOffsets meets the same error until the partitions are served.

export async function createServedTopics(
  bus: Bus,
  brokers: readonly string[],
  topics: readonly TopicSettings[],
  timeoutMs = 30_000,
): Promise<void> {
  await bus.ensureTopics(topics);
  const admin = new Kafka({
    brokers: [...brokers],
    clientId: 'candleflow-test-served',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  await admin.connect();
  try {
    for (const { name } of topics) {
      const served = () =>
        admin.fetchTopicOffsets(name).then(
          () => true,
          () => false,
        );
      await waitFor(served, `every partition of ${name} served by its leader`, timeoutMs, 50);
    }
  } finally {
    await admin.disconnect();
  }
}
