// Writes Avro trades to the pipeline's `trades` topic with your own kafkajs producer and schema registry.
import { readFile } from 'node:fs/promises';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, Partitioners } from 'kafkajs';

const registry = new SchemaRegistry({ host: process.env.SCHEMA_REGISTRY_URL! });
const schema = await readFile(new URL('../schemas/avro/trade.avsc', import.meta.url), 'utf8');
const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: 'trades-value' });
const kafka = new Kafka({ clientId: 'my-trade-feed', brokers: process.env.KAFKA_BROKERS!.split(',') });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const trade = {
  exchange: 'kraken',
  symbol: 'BTC/USD',
  tradeId: '42',
  price: 64_000.5,
  quantity: 0.01,
  side: 'buy',
  timestamp: Date.now(),
};
// Key by symbol: the pipeline keeps each symbol's trades in order on one partition.
await producer.send({ topic: 'trades', messages: [{ key: trade.symbol, value: await registry.encode(id, trade) }] });
await producer.disconnect();
