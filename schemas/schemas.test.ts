import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTypes, typesFile } from './generate-types.ts';
import { avroSchemas, avroType, recordNames } from './records.ts';
import { allTopicSettings, catalogue, changelogs, deadLetterTopic, stageNames } from './topics.ts';

describe('Avro schemas', () => {
  it('has the ten records the pipeline exchanges', () => {
    expect([...recordNames].sort()).toEqual(
      [
        'Candle',
        'ChartPattern',
        'FeatureVector',
        'NewsItem',
        'Prediction',
        'PredictionError',
        'Sentiment',
        'SentimentIndex',
        'Signal',
        'Trade',
      ].sort(),
    );
  });

  it('documents every record and field', () => {
    for (const name of recordNames) {
      expect(avroSchemas[name].doc, name).toBeTruthy();
      for (const f of avroSchemas[name].fields) expect(f.doc, `${name}.${f.name}`).toMatch(/\w/);
    }
  });

  it('stamps event times as timestamp-millis longs and carries the symbol where there is one', () => {
    const timeFields = /^(timestamp|start|end|featureTime|targetTime|publishedAt|windowStart|windowEnd|asOf)$/;
    for (const name of recordNames) {
      const times = avroSchemas[name].fields.filter((f) => timeFields.test(f.name));
      expect(times.length, `${name} has an event time`).toBeGreaterThan(0);
      for (const f of times)
        expect(f.type, `${name}.${f.name}`).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
      if (name !== 'NewsItem' && name !== 'Sentiment')
        expect(
          avroSchemas[name].fields.some((f) => f.name === 'symbol'),
          name,
        ).toBe(true);
    }
  });

  it('gives Trade and Candle the fields the issue names, nullable where the source may not know', () => {
    const field = (rec: 'Trade' | 'Candle', n: string) => avroSchemas[rec].fields.find((f) => f.name === n)?.type;
    expect(field('Trade', 'tradeId')).toEqual(['null', 'string']);
    expect(field('Trade', 'side')).toEqual([
      'null',
      { type: 'enum', name: 'Side', symbols: ['buy', 'sell'], doc: 'Taker side.' },
    ]);
    for (const n of ['quoteVolume', 'vwap', 'buyVolume']) expect(field('Candle', n)).toEqual(['null', 'double']);
    expect(field('Candle', 'trades')).toEqual(['null', 'long']);
  });

  it('round-trips records through Avro', () => {
    const trade = {
      exchange: 'kraken',
      symbol: 'BTC/USD',
      tradeId: null,
      price: 10749.4,
      quantity: 2.5e-7,
      side: null,
      timestamp: 1561939200000,
    };
    expect(avroType('Trade').fromBuffer(avroType('Trade').toBuffer(trade))).toEqual(trade);
  });

  it('has TypeScript types generated from the current schemas (they cannot drift)', () => {
    expect(readFileSync(typesFile, 'utf8')).toBe(renderTypes());
  });
});

describe('topic catalogue', () => {
  it('has the eleven topics, each with a schema, key fields of that schema, and a dead-letter topic', () => {
    expect(catalogue.map((t) => t.name)).toEqual([
      'trades',
      'candles',
      'candles.partial',
      'features',
      'news',
      'sentiment',
      'sentiment-index',
      'predictions',
      'prediction-errors',
      'signals',
      'chart-patterns',
    ]);
    const names = allTopicSettings().map((t) => t.name);
    for (const t of catalogue) {
      const fields = avroSchemas[t.schema].fields.map((f) => f.name);
      for (const k of [...t.key, ...t.partitionKey]) expect(fields, `${t.name} key ${k}`).toContain(k);
      expect(t.key.slice(0, t.partitionKey.length), `${t.name}: partition key is a prefix of the key`).toEqual([
        ...t.partitionKey,
      ]);
      expect(names).toContain(deadLetterTopic(t.name));
      for (const s of [...t.producers, ...t.consumers]) expect(stageNames).toContain(s);
    }
  });

  it('co-partitions what one stage joins and mirrors each changelog on its input', () => {
    expect(catalogue.find((t) => t.name === 'predictions')!.partitions).toBe(
      catalogue.find((t) => t.name === 'candles')!.partitions,
    );
    for (const c of changelogs) expect(c.partitions).toBe(catalogue.find((t) => t.name === c.mirrors)!.partitions);
  });

  it('names every topic once', () => {
    const names = allTopicSettings().map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
