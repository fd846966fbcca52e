import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusRecord } from '../../pipeline/bus/bus.ts';
import { createKafkaBus, type KafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { describeWithService } from '../support/services.ts';
import { fastTuning, memoryLogger, waitFor } from '../support/kafka-harness.ts';
import { kafkaMockMissing, kafkaMockService, startKafkaMock, type KafkaMock } from '../support/kafka-mock.ts';

describeWithService(kafkaMockService, kafkaMockMissing(), 'kafkajs adapter on a 3-broker mock cluster', () => {
  let mock: KafkaMock;
  let bus: KafkaBus;
  beforeAll(async () => {
    mock = await startKafkaMock({ brokers: 3 });
    bus = createKafkaBus(
      { brokers: mock.brokers.split(','), clientId: 'three', ssl: false },
      { log: memoryLogger() },
      fastTuning,
    );
  });
  afterAll(async () => {
    await bus?.close();
    await mock?.stop();
  });

  it('produces to and consumes from partitions led by different brokers', async () => {
    expect(mock.brokers.split(',')).toHaveLength(3);
    expect(await bus.partitionCount('candles')).toBe(6);
    const messages = Array.from({ length: 120 }, (_, i) => ({
      key: `ETH/USD|${i % 24}`,
      value: Buffer.from(String(i)),
    }));
    await bus.produce('candles', messages);
    const records: BusRecord[] = [];
    const sub = await bus.subscribe({
      groupId: 'indicators',
      topics: ['candles'],
      onBatch: async (b) => void records.push(...b.records),
    });
    await waitFor('120 records', () => records.length >= 120);
    await sub.close();
    expect(records.map((r) => Number(r.value.toString())).sort((a, b) => a - b)).toEqual(messages.map((_, i) => i));
    expect(new Set(records.map((r) => r.partition)).size).toBe(6);
  });
});
