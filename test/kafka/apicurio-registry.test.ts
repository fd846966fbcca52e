import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { avroSchemas, avroType } from '../../schemas/records.ts';
import { catalogue } from '../../schemas/topics.ts';
import type { Trade } from '../../schemas/types.ts';
import { createSchemaRegistryCodec } from '../../pipeline/serde/schema-registry-codec.ts';
import {
  apicurioMissing,
  apicurioService,
  startApicurioRegistry,
  type ApicurioRegistry,
} from '../support/apicurio-registry.ts';
import { describeWithService } from '../support/services.ts';

// The codec against a real registry that is not Confluent's: Apicurio Registry's ccompat API, which deployments
// on Strimzi often run. The in-process registry of test/support/schema-registry.ts is what the codec was written
// against; this checks that a real one agrees with it on registration, ids and BACKWARD refusal.

const trade: Trade = {
  exchange: 'binance',
  symbol: 'ETH/USDT',
  tradeId: '9001',
  price: 3120.25,
  quantity: 1.5,
  side: 'sell',
  timestamp: 1_717_000_001_000,
};

describeWithService(
  apicurioService,
  apicurioMissing(),
  'schema registry codec against Apicurio Registry (ccompat v7)',
  () => {
    let registry: ApicurioRegistry;
    beforeAll(async () => {
      registry = await startApicurioRegistry();
    }, 180_000);
    afterAll(() => registry?.close());

    it('registers the catalogue, then encodes and decodes a Trade through it', async () => {
      const codec = await createSchemaRegistryCodec({ url: registry.url });
      const subjects = (await fetch(`${registry.url}/subjects`).then((r) => r.json())) as string[];
      expect(subjects.sort()).toEqual(catalogue.map((t) => `${t.name}-value`).sort());
      const config = (await fetch(`${registry.url}/config/trades-value`).then((r) => r.json())) as {
        compatibilityLevel?: string;
        compatibility?: string;
      };
      expect(config.compatibilityLevel ?? config.compatibility).toBe('BACKWARD');

      const bytes = await codec.encode('trades', 'Trade', trade);
      expect(bytes[0]).toBe(0);
      expect(bytes.subarray(5)).toEqual(avroType('Trade').toBuffer(trade));
      const byId = (await fetch(`${registry.url}/schemas/ids/${bytes.readInt32BE(1)}`).then((r) => r.json())) as {
        schema: string;
      };
      expect(JSON.parse(byId.schema)).toEqual(avroSchemas.Trade);
      expect(await codec.decode('trades', bytes)).toEqual(trade);
      // A second codec (another worker) finds the same id instead of adding a version.
      const again = await createSchemaRegistryCodec({ url: registry.url });
      expect((await again.encode('trades', 'Trade', trade)).readInt32BE(1)).toBe(bytes.readInt32BE(1));
    });

    it('refuses a schema change that breaks BACKWARD compatibility and takes a compatible one', async () => {
      await createSchemaRegistryCodec({ url: registry.url });
      const client = new SchemaRegistry({ host: registry.url });
      const breaking = {
        ...avroSchemas.Trade,
        fields: [...avroSchemas.Trade.fields, { name: 'venue', type: 'string' }],
      };
      const err = await client
        .register({ type: SchemaType.AVRO, schema: JSON.stringify(breaking) }, { subject: 'trades-value' })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect((err as { status?: number } | null)?.status).toBe(409);
      const compatible = {
        ...avroSchemas.Trade,
        fields: [...avroSchemas.Trade.fields, { name: 'venue', type: ['null', 'string'], default: null }],
      };
      const { id } = await client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(compatible) },
        { subject: 'trades-value' },
      );
      const versions = (await fetch(`${registry.url}/subjects/trades-value/versions`).then((r) =>
        r.json(),
      )) as number[];
      expect(versions).toHaveLength(2);
      const latest = (await fetch(`${registry.url}/subjects/trades-value/versions/latest`).then((r) => r.json())) as {
        id: number;
      };
      expect(latest.id).toBe(id);
    });
  },
);
