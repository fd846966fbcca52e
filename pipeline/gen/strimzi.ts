import { writeFileSync } from 'node:fs';
import { allTopicSettings, type CleanupPolicy } from '../../schemas/topics.ts';

// Strimzi KafkaTopic resources derived from the topic catalogue (`candleflow gen strimzi`), so the cluster's
// topics are exactly the ones the code expects. A test fails when strimzi/topics.yaml is stale.

export const strimziTopicsFile = new URL('../../strimzi/topics.yaml', import.meta.url);
export const STRIMZI_TOPIC_API = 'kafka.strimzi.io/v1beta2';

export interface StrimziTopic {
  /** Kubernetes resource name (metadata.name). */
  resourceName: string;
  /** The Kafka topic name (spec.topicName). */
  topicName: string;
  partitions: number;
  replicas: number;
  retentionMs: number;
  cleanupPolicy: CleanupPolicy;
}

/**
 * A valid Kubernetes resource name (RFC 1123 subdomain) for a topic: Kafka allows upper case and '_', which
 * Kubernetes does not. spec.topicName always carries the real name.
 */
export function kubernetesName(topicName: string): string {
  const name = topicName
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 253);
  if (!name) throw new Error(`topic "${topicName}" has no usable Kubernetes name`);
  return name;
}

/** Every catalogue topic, its dead-letter topic, and the state changelogs. */
export function strimziTopics(): StrimziTopic[] {
  const topics = allTopicSettings().map((t): StrimziTopic => ({
    resourceName: kubernetesName(t.name),
    ...t,
    topicName: t.name,
  }));
  const seen = new Map<string, string>();
  for (const t of topics) {
    const other = seen.get(t.resourceName);
    if (other) throw new Error(`topics "${other}" and "${t.topicName}" both map to KafkaTopic ${t.resourceName}`);
    seen.set(t.resourceName, t.topicName);
  }
  return topics;
}

/** strimzi/topics.yaml as it must be. */
export function renderStrimziTopics(clusterName = 'candleflow'): string {
  const documents = strimziTopics().map((t) =>
    [
      `apiVersion: ${STRIMZI_TOPIC_API}`,
      'kind: KafkaTopic',
      'metadata:',
      `  name: ${t.resourceName}`,
      '  labels:',
      `    strimzi.io/cluster: ${clusterName}`,
      'spec:',
      `  topicName: ${JSON.stringify(t.topicName)}`,
      `  partitions: ${t.partitions}`,
      `  replicas: ${t.replicas}`,
      '  config:',
      `    retention.ms: ${t.retentionMs}`,
      `    cleanup.policy: ${JSON.stringify(t.cleanupPolicy)}`,
    ].join('\n'),
  );
  return `# Generated from schemas/topics.ts by \`candleflow gen strimzi\`. Do not edit.\n---\n${documents.join('\n---\n')}\n`;
}

/** Writes strimzi/topics.yaml; returns its path. */
export function writeStrimziTopics(clusterName = 'candleflow', file: URL = strimziTopicsFile): string {
  writeFileSync(file, renderStrimziTopics(clusterName));
  return file.pathname;
}
