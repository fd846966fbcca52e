import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroSchemas, avroType } from '../../schemas/records.ts';
import { catalogue } from '../../schemas/topics.ts';
import type { Trade } from '../../schemas/types.ts';
import { BusError, DecodeError } from '../../pipeline/errors.ts';
import { createSchemaRegistryCodec } from '../../pipeline/serde/schema-registry-codec.ts';
import { type WireDecodeError, frame } from '../../pipeline/serde/wire-format.ts';
import { startTestSchemaRegistry, type TestSchemaRegistry } from '../support/schema-registry.ts';

const trade: Trade = {
  exchange: 'binance',
  symbol: 'ETH/USDT',
  tradeId: '9001',
  price: 3120.25,
  quantity: 1.5,
  side: 'sell',
  timestamp: 1_717_000_001_000,
};

describe('schema registry codec against a Confluent-compatible registry', () => {
  let registry: TestSchemaRegistry;
  beforeAll(async () => {
    registry = await startTestSchemaRegistry();
  });
  afterAll(() => registry.close());

  it('registers every catalogue topic as <topic>-value with BACKWARD compatibility at start', async () => {
    await createSchemaRegistryCodec({ url: registry.url });
    const subjects = registry.subjects();
    expect([...subjects.keys()].sort()).toEqual(catalogue.map((t) => `${t.name}-value`).sort());
    const client = new SchemaRegistry({ host: registry.url });
    for (const t of catalogue) {
      const latest = await client.getLatestSchemaId(`${t.name}-value`);
      expect(JSON.parse(registry.schema(latest)!)).toEqual(avroSchemas[t.schema]);
    }
    const config = await fetch(`${registry.url}/config/trades-value`).then((r) => r.json());
    expect(config).toEqual({ compatibilityLevel: COMPATIBILITY.BACKWARD });
  });

  it('round-trips a record and writes the Avro body the local codec writes', async () => {
    const codec = await createSchemaRegistryCodec({ url: registry.url });
    const bytes = await codec.encode('trades', 'Trade', trade);
    expect(bytes[0]).toBe(0);
    expect(JSON.parse(registry.schema(bytes.readInt32BE(1))!)).toEqual(avroSchemas.Trade);
    expect(bytes.subarray(5)).toEqual(avroType('Trade').toBuffer(trade));
    expect(await codec.decode('trades', bytes)).toEqual(trade);
  });

  it('decodes by schema id what another client registered and wrote', async () => {
    const codec = await createSchemaRegistryCodec({ url: registry.url });
    const client = new SchemaRegistry({ host: registry.url });
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(avroSchemas.Trade) },
      { subject: 'trades-value' },
    );
    expect(await codec.decode('trades', await client.encode(id, trade))).toEqual(trade);
  });

  it('says why bytes cannot be decoded: wrong magic byte, truncated, unknown schema id', async () => {
    const codec = await createSchemaRegistryCodec({ url: registry.url });
    const bytes = await codec.encode('trades', 'Trade', trade);
    const reasonOf = async (b: Buffer) => {
      const err = await codec.decode('trades', b).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DecodeError);
      return (err as WireDecodeError).reason;
    };
    expect(await reasonOf(Buffer.concat([Buffer.from([1]), bytes.subarray(1)]))).toBe('wrong-magic-byte');
    expect(await reasonOf(bytes.subarray(0, 4))).toBe('truncated');
    expect(await reasonOf(bytes.subarray(0, bytes.length - 3))).toBe('truncated');
    expect(await reasonOf(frame(777_777, bytes.subarray(5)))).toBe('unknown-schema-id');
  });

  it('refuses a schema change that breaks BACKWARD compatibility', async () => {
    await createSchemaRegistryCodec({ url: registry.url });
    const client = new SchemaRegistry({ host: registry.url });
    const breaking = { ...avroSchemas.Trade, fields: [...avroSchemas.Trade.fields, { name: 'venue', type: 'string' }] };
    const err = await client
      .register({ type: SchemaType.AVRO, schema: JSON.stringify(breaking) }, { subject: 'trades-value' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((err as { status?: number }).status).toBe(409);
    const compatible = {
      ...avroSchemas.Trade,
      fields: [...avroSchemas.Trade.fields, { name: 'venue', type: ['null', 'string'], default: null }],
    };
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(compatible) },
      { subject: 'trades-value' },
    );
    expect(registry.subjects().get('trades-value')).toContain(id);
  });

  it('treats an unreachable registry as a retriable bus error, not as a bad record', async () => {
    const other = await startTestSchemaRegistry();
    const codec = await createSchemaRegistryCodec({ url: other.url, topics: [] });
    await other.close();
    const err = await codec.decode('trades', frame(1, avroType('Trade').toBuffer(trade))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BusError);
    expect(err).not.toBeInstanceOf(DecodeError);
    expect((err as BusError).retriable).toBe(true);
  });
});
