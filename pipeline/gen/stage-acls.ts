import { catalogue, changelogOf, deadLetterTopic, stageNames, type StageName } from '../../schemas/topics.ts';

// Least privilege per stage, derived from the topic catalogue: what `candleflow run <stage>` reads, writes and
// describes, and nothing else. Rendered as Strimzi KafkaUsers (strimzi-users.ts) and applied as ACLs by the
// tests that run each stage with exactly these rights.

export type AclOperation = 'Read' | 'Write' | 'Describe' | 'DescribeConfigs';

export interface StageAcl {
  resource: { type: 'topic' | 'group' | 'transactionalId'; name: string; patternType: 'literal' | 'prefix' };
  operations: AclOperation[];
}

/** The consumer group of a stage (the runner's default group id). */
export const stageGroupId = (stage: string): string => `candleflow.${stage}`;

/** State restore reads changelogs with short-lived groups `<KAFKA_CLIENT_ID>.restore.<uuid>` (kafka-restore.ts). */
export const restoreGroupPrefix = (clientId = 'candleflow'): string => `${clientId}.restore.`;

const topicAcl = (name: string, operations: AclOperation[]): StageAcl => ({
  resource: { type: 'topic', name, patternType: 'literal' },
  operations,
});

export interface AclOptions {
  /** KAFKA_CLIENT_ID, which names the restore groups. @defaultValue 'candleflow' */
  clientId?: string;
  /** PROCESSING_GUARANTEE=exactly-once: the stage's transactional ids `<group>.<INSTANCE_ID>`. */
  exactlyOnce?: boolean;
}

/**
 * A stage's rights: Read on its inputs and Write on its outputs and on its inputs' dead-letter topics; Read and
 * Write on its own changelog; Describe and DescribeConfigs on every topic it uses (the worker checks partitions
 * and cleanup policy at start); Read and Describe on its consumer group, and Read on restore groups; with
 * exactly-once, Write and Describe on its transactional ids.
 */
export function stageAcls(
  stage: StageName,
  { clientId = 'candleflow', exactlyOnce = false }: AclOptions = {},
): StageAcl[] {
  const inputs = catalogue.filter((t) => t.consumers.includes(stage)).map((t) => t.name);
  const outputs = catalogue.filter((t) => t.producers.includes(stage)).map((t) => t.name);
  const described: AclOperation[] = ['Describe', 'DescribeConfigs'];
  const acls = [
    ...inputs.map((t) => topicAcl(t, ['Read', ...described])),
    ...outputs.map((t) => topicAcl(t, ['Write', ...described])),
    ...inputs.map((t) => topicAcl(deadLetterTopic(t), ['Write', ...described])),
  ];
  const changelog = changelogOf(stage);
  if (changelog) acls.push(topicAcl(changelog.name, ['Read', 'Write', ...described]));
  if (inputs.length > 0) {
    acls.push({
      resource: { type: 'group', name: stageGroupId(stage), patternType: 'literal' },
      operations: ['Read', 'Describe'],
    });
  }
  if (changelog) {
    acls.push({
      resource: { type: 'group', name: restoreGroupPrefix(clientId), patternType: 'prefix' },
      operations: ['Read'],
    });
  }
  if (exactlyOnce && inputs.length > 0) {
    acls.push({
      resource: { type: 'transactionalId', name: `${stageGroupId(stage)}.`, patternType: 'prefix' },
      operations: ['Write', 'Describe'],
    });
  }
  return acls;
}

/** Every stage that touches Kafka, with its rights. */
export function allStageAcls(options: AclOptions = {}): { stage: StageName; acls: StageAcl[] }[] {
  return stageNames.map((stage) => ({ stage, acls: stageAcls(stage, options) })).filter((s) => s.acls.length > 0);
}

/** Lag-based autoscaling (KEDA's Kafka scaler) reads offsets and lag: Describe on topics and groups only. */
export const autoscalerAcls: StageAcl[] = [
  { resource: { type: 'topic', name: '*', patternType: 'literal' }, operations: ['Describe'] },
  { resource: { type: 'group', name: '*', patternType: 'literal' }, operations: ['Describe'] },
];
