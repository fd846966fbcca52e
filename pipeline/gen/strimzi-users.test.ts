import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stageAcls } from './stage-acls.ts';
import { renderStrimziUsers, strimziUsersExactlyOnceFile, strimziUsersFile } from './strimzi-users.ts';

describe('Strimzi users', () => {
  it('strimzi/users.yaml is what the catalogue renders (run `candleflow gen strimzi` after changing schemas/topics.ts)', () => {
    expect(readFileSync(strimziUsersFile, 'utf8')).toBe(renderStrimziUsers());
    expect(readFileSync(strimziUsersExactlyOnceFile, 'utf8')).toBe(renderStrimziUsers('candleflow', true));
  });

  it('gives a stage Read on its inputs, Write on its outputs and dead letters, its changelog and its group, nothing else', () => {
    const rights = Object.fromEntries(
      stageAcls('indicators').map((a) => [`${a.resource.type} ${a.resource.name}`, a.operations.join(',')]),
    );
    expect(rights).toEqual({
      'topic candles': 'Read,Describe,DescribeConfigs',
      'topic features': 'Write,Describe,DescribeConfigs',
      'topic candles.dlq': 'Write,Describe,DescribeConfigs',
      'topic indicators.state': 'Read,Write,Describe,DescribeConfigs',
      'group candleflow.indicators': 'Read,Describe',
      'group candleflow.restore.': 'Read',
    });
    const exactlyOnce = stageAcls('indicators', { exactlyOnce: true }).filter(
      (a) => a.resource.type === 'transactionalId',
    );
    expect(exactlyOnce).toEqual([
      {
        resource: { type: 'transactionalId', name: 'candleflow.indicators.', patternType: 'prefix' },
        operations: ['Write', 'Describe'],
      },
    ]);
  });

  it('renders one KafkaUser per stage and a describe-only autoscaler', () => {
    const yaml = renderStrimziUsers('prod');
    expect([...yaml.matchAll(/^ {2}name: (.*)$/gm)].map((m) => m[1])).toEqual([
      'candleflow-trade-source',
      'candleflow-news-source',
      'candleflow-sentiment',
      'candleflow-sentiment-index',
      'candleflow-trade-to-ohlc',
      'candleflow-indicators',
      'candleflow-predictor',
      'candleflow-error-monitor',
      'candleflow-postgres-sink',
      'candleflow-autoscaler',
    ]);
    const autoscaler = yaml.split('\n---\n').at(-1)!;
    expect(autoscaler).not.toMatch(/Read|Write/);
    expect(yaml.match(/type: scram-sha-512/g)).toHaveLength(10);
  });
});
