import type { Admin } from 'kafkajs';
import { BusError, errorMessage, TopicMismatchError } from '../../errors.ts';
import type { TopicDescription, TopicSettings } from '../bus.ts';
import type { BusLogger } from './kafka-bus-options.ts';
import { toBusError } from './kafka-errors.ts';
import { createTopicsAndWait, createTopicsErrorTypes, createTopicsFailure } from './kafkajs-workarounds.ts';

// The Bus's topic admin on kafkajs: create what is missing, say how partitioned a topic is, describe topics
// so the worker can check them against the catalogue before it reads a record.

// ConfigResourceTypes.TOPIC: kafkajs's CommonJS index hides ConfigResourceTypes from ESM named imports.
const TOPIC_RESOURCE = 2;

export interface KafkaTopicAdmin {
  ensureTopics(topics: readonly TopicSettings[]): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  describeTopics(names: readonly string[]): Promise<TopicDescription[]>;
}

export function kafkaTopicAdmin(admin: () => Promise<Admin>, log: BusLogger): KafkaTopicAdmin {
  let createRefusedLogged = false;
  let describeConfigsRefusedLogged = false;

  async function existing(a: Admin): Promise<Set<string>> {
    try {
      return new Set(await a.listTopics());
    } catch (err) {
      throw toBusError('list topics', err);
    }
  }

  async function cleanupPolicies(a: Admin, names: readonly string[]): Promise<Map<string, string>> {
    const policies = new Map<string, string>();
    if (names.length === 0) return policies;
    try {
      const described = await a.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['cleanup.policy'] })),
      });
      for (const r of described.resources) {
        const value = r.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
        if (r.errorCode === 0 && value !== undefined) policies.set(r.resourceName, value);
      }
    } catch (err) {
      // librdkafka's mock broker has no DescribeConfigs: partitions are still checked, policies are not.
      if (!describeConfigsRefusedLogged) {
        describeConfigsRefusedLogged = true;
        log.warn({ err: errorMessage(err) }, 'broker did not describe topic configs: cleanup policies not checked');
      }
    }
    return policies;
  }

  return {
    async partitionCount(topic) {
      const a = await admin();
      try {
        // Listing first: some brokers (librdkafka's mock) create a topic that metadata is asked for.
        if (!(await existing(a)).has(topic)) throw new BusError(`topic ${topic} does not exist`, { retriable: false });
        const meta = await a.fetchTopicMetadata({ topics: [topic] });
        const count = meta.topics[0]?.partitions.length ?? 0;
        if (count === 0) throw new Error(`topic ${topic} does not exist`);
        return count;
      } catch (err) {
        throw err instanceof BusError ? err : toBusError(`partitions of ${topic}`, err);
      }
    },

    async describeTopics(names) {
      const a = await admin();
      const present = await existing(a);
      const wanted = names.filter((n) => present.has(n));
      if (wanted.length === 0) return [];
      let meta;
      try {
        meta = await a.fetchTopicMetadata({ topics: wanted });
      } catch (err) {
        throw toBusError(`describe topics ${wanted.join(',')}`, err);
      }
      const policies = await cleanupPolicies(a, wanted);
      return meta.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.length,
        ...(policies.has(t.name) ? { cleanupPolicy: policies.get(t.name)! } : {}),
      }));
    },

    async ensureTopics(topics) {
      const a = await admin();
      const present = await existing(a);
      const missing = topics.filter((topic) => !present.has(topic.name));
      if (missing.length === 0) return;
      try {
        await createTopicsAndWait(
          a,
          missing.map((topic) => ({
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: topic.replicas ?? -1,
            configEntries: [
              ...(topic.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(topic.retentionMs) }] : []),
              ...(topic.cleanupPolicy ? [{ name: 'cleanup.policy', value: topic.cleanupPolicy }] : []),
            ],
          })),
        );
        log.info({ topics: missing.map((topic) => topic.name) }, 'created topics');
      } catch (err) {
        // What was asked can never be created here (TOPIC_REPLICAS above the broker count, a bad config).
        if (createTopicsFailure(err) === 'invalid') {
          throw new TopicMismatchError(
            `cannot create topics ${missing.map((t) => t.name).join(', ')}: ${createTopicsErrorTypes(err).join(', ')} (check TOPIC_REPLICAS)`,
          );
        }
        // Managed clusters (Strimzi's topic operator, ACLs) and librdkafka's mock broker refuse CreateTopics;
        // the topics then come from strimzi/topics.yaml, and the worker's topic check says which are missing.
        if (!createRefusedLogged) {
          createRefusedLogged = true;
          log.warn(
            { err: errorMessage(err), topics: missing.map((topic) => topic.name) },
            'broker did not create topics (CreateTopics unsupported or refused); create them with strimzi/topics.yaml',
          );
        }
      }
    },
  };
}
