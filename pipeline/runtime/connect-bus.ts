import type { Bus } from '../bus/bus.ts';
import { createKafkaBus } from '../bus/kafka/kafka-bus.ts';
import { parseKafkaConfig } from '../bus/kafka/kafka-config.ts';
import { MemoryBus } from '../bus/memory-bus.ts';
import { readOptionalString, type Env } from '../config/env.ts';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Codec } from '../serde/codec.ts';
import { createLocalRegistryCodec } from '../serde/local-registry-codec.ts';
import { createSchemaRegistryCodec } from '../serde/schema-registry-codec.ts';

/**
 * The bus and codec this process uses: kafkajs when KAFKA_BROKERS is set (with Avro through the schema registry at
 * SCHEMA_REGISTRY_URL), else the embedded in-process bus with in-process schema ids.
 */
export async function connectBus(env: Env, config: RuntimeConfig, log: Logger): Promise<{ bus: Bus; codec: Codec }> {
  const kafka = parseKafkaConfig(env);
  const registryUrl = readOptionalString(env, 'SCHEMA_REGISTRY_URL');
  if (registryUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(registryUrl)) {
    throw new ConfigError('SCHEMA_REGISTRY_URL', `must be an http(s) URL (got "${registryUrl}")`);
  }
  if (!kafka) return { bus: new MemoryBus({ maxBacklog: config.busMaxBacklog }), codec: createLocalRegistryCodec() };
  const username = readOptionalString(env, 'SCHEMA_REGISTRY_USERNAME');
  const password = readOptionalString(env, 'SCHEMA_REGISTRY_PASSWORD');
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError(
      username === undefined ? 'SCHEMA_REGISTRY_USERNAME' : 'SCHEMA_REGISTRY_PASSWORD',
      'is required with its partner (basic auth)',
    );
  }
  let codec: Codec;
  if (registryUrl) {
    codec = await createSchemaRegistryCodec({
      url: registryUrl,
      ...(username && password ? { auth: { username, password } } : {}),
    });
  } else {
    // Ids are then assigned in catalogue order, the same in every worker of this version: fine among Candleflow
    // workers, unreadable for other clients. Production sets SCHEMA_REGISTRY_URL.
    log.warn(
      'SCHEMA_REGISTRY_URL is unset: Avro schema ids are assigned in process; only Candleflow workers of this version can read these topics',
    );
    codec = createLocalRegistryCodec();
  }
  return { bus: createKafkaBus(kafka, { log }), codec };
}
