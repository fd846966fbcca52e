import type { Bus } from '../bus/bus.ts';
import type { KafkaBusConfig } from '../bus/kafka/kafka-config.ts';
import { MemoryBus } from '../bus/memory-bus.ts';
import { defineConfig, settings } from '../config/settings.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Codec } from '../serde/codec.ts';
import { createLocalRegistryCodec } from '../serde/local-registry-codec.ts';

export const schemaRegistryConfig = defineConfig(
  {
    url: settings.optionalText('SCHEMA_REGISTRY_URL', {
      doc: 'Confluent-compatible schema registry (with Kafka); unset: schema ids assigned in process, readable only by Candleflow workers of the same version',
      pattern: /^https?:\/\/[^\s/]+/,
      rule: 'must be an http(s) URL',
    }),
    username: settings.optionalText('SCHEMA_REGISTRY_USERNAME', { doc: 'basic auth user for the registry' }),
    password: settings.optionalText('SCHEMA_REGISTRY_PASSWORD', { doc: 'basic auth password for the registry' }),
  },
  ({ url, username, password }) => {
    if ((username === undefined) !== (password === undefined)) {
      throw new ConfigError(
        username === undefined ? 'SCHEMA_REGISTRY_USERNAME' : 'SCHEMA_REGISTRY_PASSWORD',
        'is required with its partner (basic auth)',
      );
    }
    if (url === undefined) return null;
    return { url, ...(username && password ? { auth: { username, password } } : {}) };
  },
);

export type SchemaRegistryConfig = ReturnType<typeof schemaRegistryConfig.compile>;

export interface BusChoice {
  kafka: KafkaBusConfig | null;
  registry: SchemaRegistryConfig;
  busMaxBacklog: number;
}

/**
 * The bus and codec this process uses: kafkajs when KAFKA_BROKERS is set (with Avro through the schema registry at
 * SCHEMA_REGISTRY_URL), else the embedded in-process bus with in-process schema ids. kafkajs and the registry
 * client are imported only by processes that use them.
 */
export async function connectBus(choice: BusChoice, log: Logger): Promise<{ bus: Bus; codec: Codec }> {
  if (!choice.kafka)
    return { bus: new MemoryBus({ maxBacklog: choice.busMaxBacklog }), codec: createLocalRegistryCodec() };
  let codec: Codec;
  if (choice.registry) {
    const { createSchemaRegistryCodec } = await import('../serde/schema-registry-codec.ts');
    codec = await createSchemaRegistryCodec(choice.registry);
  } else {
    // Ids are then assigned in catalogue order, the same in every worker of this version: fine among Candleflow
    // workers, unreadable for other clients. Production sets SCHEMA_REGISTRY_URL.
    log.warn(
      'SCHEMA_REGISTRY_URL is unset: Avro schema ids are assigned in process; only Candleflow workers of this version can read these topics',
    );
    codec = createLocalRegistryCodec();
  }
  const { createKafkaBus } = await import('../bus/kafka/kafka-bus.ts');
  return { bus: createKafkaBus(choice.kafka, { log }), codec };
}
