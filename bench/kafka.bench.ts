import { createKafkaBus } from '../pipeline/bus/kafka/kafka-bus.ts';
import { silentLogger } from '../pipeline/log.ts';
import { createSchemaRegistryCodec } from '../pipeline/serde/schema-registry-codec.ts';
import { kafkaBrokerMissing, startKafkaCluster } from '../test/support/kafka-broker.ts';
import { startTestSchemaRegistry } from '../test/support/schema-registry.ts';
import { runDirectly, type BenchResult } from './bench-result.ts';
import { PARTITIONS, RECORDS, trades } from './kafka/bench-clock.ts';
import { adapterOnly, candleflowOutputs, throughStage } from './kafka/candleflow-side.ts';
import { rawKafkajs, rawOutputs } from './kafka/raw-kafkajs.ts';

// On one Apache Kafka 4.4.0 broker (the test harness's, test/kafka-broker/) in the same run: records/s of raw
// kafkajs eachBatch moving Avro trades untouched, of the adapter re-encoding them, and of a pass-through stage
// under the real runner, each at-least-once; and raw kafkajs and the stage with every batch in one transaction.

const ROUNDS = 3;
const name = 'Kafka transport on Apache Kafka: the adapter and one stage over it vs raw kafkajs';

const best = (xs: number[]) => Math.max(...xs);
const all = (xs: number[]) => xs.map(Math.round).join(', ');

export async function run(): Promise<BenchResult> {
  const missing = kafkaBrokerMissing();
  if (missing) return { name, figures: { skipped: missing } };
  const cluster = await startKafkaCluster({ nodes: 1 });
  const registry = await startTestSchemaRegistry();
  try {
    const config = { brokers: cluster.brokers, clientId: 'bench', ssl: false };
    const fill = createKafkaBus(config, { log: silentLogger });
    const outputs = Array.from({ length: ROUNDS }, (_, r) => [...rawOutputs(r), ...candleflowOutputs(r)]).flat();
    await fill.ensureTopics(
      ['bench-in', ...outputs].map((topic) => ({ name: topic, partitions: PARTITIONS, replicas: 1 })),
    );
    const codec = await createSchemaRegistryCodec({ url: registry.url });
    const records = trades(RECORDS);
    for (let i = 0; i < records.length; i += 1000) {
      const chunk = records.slice(i, i + 1000);
      await fill.produce(
        'bench-in',
        await Promise.all(chunk.map(async (t) => ({ key: t.symbol, value: await codec.encode('trades', 'Trade', t) }))),
      );
    }
    await fill.close();

    const sides = {
      raw: (r: number) => rawKafkajs(cluster.brokers, r, false),
      adapter: (r: number) => adapterOnly(config, registry.url, r),
      stage: (r: number) => throughStage(config, registry.url, r, false),
      rawTx: (r: number) => rawKafkajs(cluster.brokers, r, true),
      stageTx: (r: number) => throughStage(config, registry.url, r, true),
    };
    const rates: Record<keyof typeof sides, number[]> = { raw: [], adapter: [], stage: [], rawTx: [], stageTx: [] };
    // Alternate the order so that drift of a shared 2-core machine hits every side alike; report the best of each.
    for (let round = 0; round < ROUNDS; round++) {
      const order = Object.keys(sides) as (keyof typeof sides)[];
      for (const side of round % 2 === 0 ? order : order.reverse()) {
        process.stderr.write(`  kafka bench: ${side}, round ${round + 1} of ${ROUNDS}\n`);
        rates[side].push(await sides[side](round));
      }
    }
    const ratio = (a: number[], b: number[]) => Number((best(a) / best(b)).toFixed(2));
    return {
      name,
      figures: {
        broker: `Apache Kafka ${cluster.version}, 1 node`,
        records: RECORDS,
        partitions: PARTITIONS,
        'raw kafkajs eachBatch records/s': Math.round(best(rates.raw)),
        'adapter: decode + encode Avro, produce, commit records/s': Math.round(best(rates.adapter)),
        'adapter / raw': ratio(rates.adapter, rates.raw),
        'stage via adapter (decode, validate, handle, encode Avro, produce, commit) records/s': Math.round(
          best(rates.stage),
        ),
        'stage / raw': ratio(rates.stage, rates.raw),
        'target stage / raw': 0.7,
        'raw kafkajs, a transaction per batch, records/s': Math.round(best(rates.rawTx)),
        'stage exactly-once (outputs and offsets in one transaction) records/s': Math.round(best(rates.stageTx)),
        'stage exactly-once / raw transactional': ratio(rates.stageTx, rates.rawTx),
        'stage exactly-once / stage at-least-once': ratio(rates.stageTx, rates.stage),
        'all rounds raw records/s': all(rates.raw),
        'all rounds adapter records/s': all(rates.adapter),
        'all rounds stage records/s': all(rates.stage),
        'all rounds raw transactional records/s': all(rates.rawTx),
        'all rounds stage exactly-once records/s': all(rates.stageTx),
      },
      notes: [
        `Broker: Apache Kafka ${cluster.version} (KRaft, one combined node, JVM -Xmx512m, SerialGC, C1) on the same machine.`,
        'Every side commits after every batch and produces with acks=-1; raw kafkajs copies bytes, the stage runner (pass-through stage) decodes, validates and re-encodes Avro (Confluent wire format, registry ids cached), with its metrics and (no-op) spans.',
        'Exactly-once: kafkajs transactional producer, one transaction per batch (outputs, then TxnOffsetCommit, then EndTxn); consumers read committed. The stage runs batches of up to 5000 records.',
        `Best of ${ROUNDS} rounds, alternating the order of the sides; the clock starts at each group's first batch.`,
      ],
    };
  } finally {
    await registry.close();
    await cluster.stop();
  }
}

await runDirectly(import.meta.url, run);
