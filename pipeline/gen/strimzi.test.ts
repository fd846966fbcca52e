import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogue, changelogs, deadLetterTopic } from '../../schemas/topics.ts';
import { kubernetesName, renderStrimziTopics, strimziTopics, strimziTopicsFile } from './strimzi.ts';

describe('Strimzi topics', () => {
  it('strimzi/topics.yaml is what the catalogue renders (run `candleflow gen strimzi` after changing schemas/topics.ts)', () => {
    expect(readFileSync(strimziTopicsFile, 'utf8')).toBe(renderStrimziTopics());
  });

  it('has one KafkaTopic per catalogue topic, dead-letter topic and state changelog, with valid Kubernetes names', () => {
    const yaml = renderStrimziTopics('prod-kafka');
    const expected = [
      ...catalogue.map((t) => t.name),
      ...catalogue.map((t) => deadLetterTopic(t.name)),
      ...changelogs.map((c) => c.name),
    ];
    expect(yaml.match(/^kind: KafkaTopic$/gm)).toHaveLength(expected.length);
    expect(yaml.match(/^ {4}strimzi\.io\/cluster: prod-kafka$/gm)).toHaveLength(expected.length);
    const names = [...yaml.matchAll(/^ {2}topicName: "(.*)"$/gm)].map((m) => m[1]);
    expect(names).toEqual(expected);
    for (const t of strimziTopics()) expect(t.resourceName).toMatch(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/);
  });

  it('carries partitions, replicas, retention and cleanup policy from the catalogue', () => {
    const candles = renderStrimziTopics()
      .split('\n---\n')
      .find((doc) => doc.includes('topicName: "candles"'))!;
    expect(candles).toContain(
      'partitions: 6\n  replicas: 3\n  config:\n    retention.ms: 7776000000\n    cleanup.policy: "compact,delete"',
    );
    const dlq = renderStrimziTopics()
      .split('\n---\n')
      .find((doc) => doc.includes('topicName: "candles.dlq"'))!;
    expect(dlq).toContain(
      'partitions: 1\n  replicas: 3\n  config:\n    retention.ms: 1209600000\n    cleanup.policy: "delete"',
    );
  });

  it('turns names Kubernetes refuses into valid ones', () => {
    expect(kubernetesName('candles.partial')).toBe('candles.partial');
    expect(kubernetesName('My_Topic')).toBe('my-topic');
    expect(kubernetesName('_x_')).toBe('x');
    expect(() => kubernetesName('__')).toThrow();
  });
});
