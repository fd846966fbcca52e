import { allStageAcls, autoscalerAcls, type StageAcl } from './stage-acls.ts';
import { STRIMZI_TOPIC_API } from './strimzi.ts';

// strimzi/users.yaml: one KafkaUser per stage (SCRAM-SHA-512, simple authorization) with the ACLs of
// stage-acls.ts, and a read-only user for lag-based autoscaling. A test fails when the file is stale.

export const strimziUsersFile = new URL('../../strimzi/users.yaml', import.meta.url);
/** The same users with the rights PROCESSING_GUARANTEE=exactly-once needs besides: their transactional ids. */
export const strimziUsersExactlyOnceFile = new URL('../../strimzi/users-exactly-once.yaml', import.meta.url);

export const stageUserName = (stage: string): string => `candleflow-${stage}`;
export const autoscalerUserName = 'candleflow-autoscaler';

function user(name: string, acls: readonly StageAcl[], clusterName: string, comment: string): string {
  return [
    `# ${comment}`,
    `apiVersion: ${STRIMZI_TOPIC_API}`,
    'kind: KafkaUser',
    'metadata:',
    `  name: ${name}`,
    '  labels:',
    `    strimzi.io/cluster: ${clusterName}`,
    'spec:',
    '  authentication:',
    '    type: scram-sha-512',
    '  authorization:',
    '    type: simple',
    '    acls:',
    ...acls.flatMap((a) => [
      `      - resource: { type: ${a.resource.type}, name: ${JSON.stringify(a.resource.name)}, patternType: ${a.resource.patternType} }`,
      `        operations: [${a.operations.join(', ')}]`,
    ]),
  ].join('\n');
}

/** strimzi/users.yaml as it must be. */
export function renderStrimziUsers(clusterName = 'candleflow', exactlyOnce = false): string {
  const documents = [
    ...allStageAcls({ exactlyOnce }).map(({ stage, acls }) =>
      user(
        stageUserName(stage),
        acls,
        clusterName,
        `candleflow run ${stage}: Secret ${stageUserName(stage)} holds its password`,
      ),
    ),
    user(
      autoscalerUserName,
      autoscalerAcls,
      clusterName,
      'lag-based autoscaling (KEDA): describes topics and groups, reads nothing',
    ),
  ];
  const header = [
    '# Generated from schemas/topics.ts by `candleflow gen strimzi`. Do not edit.',
    exactlyOnce
      ? '# For PROCESSING_GUARANTEE=exactly-once: users.yaml plus Write on each stage\u2019s transactional ids. Apply one of the two.'
      : '# For the default PROCESSING_GUARANTEE=at-least-once; users-exactly-once.yaml adds what exactly-once needs.',
    '# Each worker runs as its stage\u2019s user: KAFKA_SASL_MECHANISM=scram-sha-512, KAFKA_SASL_USERNAME=candleflow-<stage>,',
    '# KAFKA_SASL_PASSWORD from the Secret the user operator creates (key password), KAFKA_SSL=true.',
  ].join('\n');
  return `${header}\n---\n${documents.join('\n---\n')}\n`;
}
