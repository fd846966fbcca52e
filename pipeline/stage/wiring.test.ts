import { describe, expect, it } from 'vitest';
import { topics, type TopicSpec } from '../../schemas/topics.ts';
import { defineConfig } from '../config/settings.ts';
import { StageDefinitionError } from '../errors.ts';
import { checkUnitMatchesEntry, stageEntry, type StageEntry } from './stage-entry.ts';
import { checkWiring } from './wiring.ts';
import { defineStage } from './define-stage.ts';

// The wiring check on small catalogues: each rule that can be broken, broken once.

const entry = (name: StageEntry['name'], inputs: TopicSpec[], outputs: TopicSpec[]) =>
  stageEntry({ name, inputs, outputs, config: defineConfig({}), create: () => ({}) as never });

const ohlc = entry('trade-to-ohlc', [topics.trades], [topics.candles]);
const indicators = entry('indicators', [topics.candles], [topics.features]);
const catalogueOf = (...specs: TopicSpec[]) => specs;
const spec = (t: TopicSpec, change: Partial<TopicSpec>): TopicSpec => ({ ...t, ...change });

describe('checkWiring', () => {
  it('accepts a catalogue that says what the stages do, an external topic needing no producer', () => {
    const c = catalogueOf(
      spec(topics.trades, { producers: [], consumers: ['trade-to-ohlc'], external: true }),
      spec(topics.candles, { producers: ['trade-to-ohlc'], consumers: ['indicators'] }),
      spec(topics.features, { producers: ['indicators'], consumers: [] }),
    );
    expect(checkWiring([ohlc, indicators], c, []).problems).toEqual([]);
  });

  it('names a catalogue that disagrees with the stages, both ways', () => {
    const c = catalogueOf(
      spec(topics.trades, { producers: [], consumers: ['trade-to-ohlc'], external: true }),
      spec(topics.candles, { producers: ['trade-to-ohlc'], consumers: ['indicators', 'error-monitor'] }),
      spec(topics.features, { producers: [], consumers: [] }),
    );
    expect(checkWiring([ohlc, indicators], c, []).problems).toEqual([
      'topic candles: the catalogue names consumers [indicators, error-monitor], the stages [indicators]',
      'topic features: the catalogue names producers [none], the stages [indicators]',
    ]);
  });

  it('refuses a consumed topic nobody produces unless it is marked external', () => {
    const c = catalogueOf(
      spec(topics.trades, { producers: [], consumers: ['trade-to-ohlc'], external: false }),
      spec(topics.candles, { producers: ['trade-to-ohlc'], consumers: [] }),
    );
    expect(checkWiring([ohlc], c, []).problems).toEqual([
      'topic trades is consumed by trade-to-ohlc but no stage produces it: mark it external if users produce it',
    ]);
  });

  it('refuses a join of inputs that are not co-partitioned, and a changelog unlike its input', () => {
    const monitor = entry('error-monitor', [topics.predictions, spec(topics.candles, { partitions: 4 })], []);
    const c = catalogueOf(
      spec(topics.predictions, { producers: [], consumers: ['error-monitor'], external: true }),
      spec(topics.candles, { producers: [], consumers: ['error-monitor'], external: true }),
    );
    const changelog = {
      stage: 'error-monitor' as const,
      name: 'error-monitor.state',
      mirrors: 'candles',
      partitions: 6,
      replicas: 3,
      cleanupPolicy: 'compact' as const,
      retentionMs: -1 as const,
    };
    expect(checkWiring([monitor], c, [changelog]).problems).toEqual([
      'changelog error-monitor.state has 6 partitions, its input candles 4',
      'stage error-monitor joins predictions, candles, which are not co-partitioned (6 partitions by symbol|timeframe vs 4 partitions by symbol|timeframe)',
    ]);
  });

  it('refuses a topic outside the catalogue and a stage registered twice', () => {
    const c = catalogueOf(spec(topics.candles, { producers: ['trade-to-ohlc'], consumers: [] }));
    const problems = checkWiring([ohlc, ohlc], c, []).problems;
    expect(problems).toContain('stage trade-to-ohlc is registered twice');
    expect(problems).toContain('stage trade-to-ohlc uses topic trades, which is not in the catalogue');
  });
});

describe('checkUnitMatchesEntry', () => {
  it('refuses a stage built with other topics than its entry declares', () => {
    const built = defineStage({
      name: 'indicators',
      description: 'x',
      inputs: [topics.candles],
      outputs: [topics.predictions],
      handle: () => [],
    });
    expect(() => checkUnitMatchesEntry(indicators, built)).toThrow(StageDefinitionError);
    expect(() => checkUnitMatchesEntry(indicators, { ...built, outputs: [topics.features] })).not.toThrow();
  });
});
