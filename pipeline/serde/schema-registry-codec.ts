import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { avroSchemas, avroType, type RecordName } from '../../schemas/records.ts';
import { catalogue, type TopicSpec } from '../../schemas/topics.ts';
import { BusError, errorMessage } from '../errors.ts';
import { valueSubject, type Codec } from './codec.ts';
import { AvroReader, WireDecodeError, frame, toAvro, unframe } from './wire-format.ts';

// The codec for a Confluent-compatible schema registry (SCHEMA_REGISTRY_URL). Schemas of the catalogue are
// registered at start under `<topic>-value` with BACKWARD compatibility, so an incompatible change of a
// `.avsc` file stops the worker at start instead of breaking its consumers later.

export interface SchemaRegistryCodecOptions {
  url: string;
  /** Basic auth, as Confluent Cloud and Karapace deployments use it. */
  auth?: { username: string; password: string };
  topics?: readonly TopicSpec[];
}

export async function createSchemaRegistryCodec(options: SchemaRegistryCodecOptions): Promise<Codec> {
  const registry = new SchemaRegistry({
    host: options.url,
    clientId: 'candleflow',
    ...(options.auth ? { auth: options.auth } : {}),
  });
  const ids = new Map<string, number>();
  const pending = new Map<string, Promise<number>>();

  const register = (topicName: string, schemaName: RecordName): Promise<number> => {
    const key = `${topicName}\u0000${schemaName}`;
    const known = ids.get(key);
    if (known !== undefined) return Promise.resolve(known);
    let p = pending.get(key);
    if (!p) {
      p = registry
        .register(
          { type: SchemaType.AVRO, schema: JSON.stringify(avroSchemas[schemaName]) },
          { subject: valueSubject(topicName), compatibility: COMPATIBILITY.BACKWARD },
        )
        .then(
          ({ id }) => {
            ids.set(key, id);
            pending.delete(key);
            return id;
          },
          (err: unknown) => {
            pending.delete(key);
            throw new BusError(`register ${schemaName} as ${valueSubject(topicName)}: ${errorMessage(err)}`, {
              retriable: (err as { status?: number }).status !== 409 && (err as { status?: number }).status !== 422,
              cause: err,
            });
          },
        );
      pending.set(key, p);
    }
    return p;
  };
  for (const t of options.topics ?? catalogue) await register(t.name, t.schema);

  const writers = new Map<number, Promise<avro.Type>>();
  const writerSchema = (topicName: string, schemaId: number): Promise<avro.Type> => {
    let w = writers.get(schemaId);
    if (!w) {
      w = registry.getSchema(schemaId).then(
        (schema) => schema as unknown as avro.Type,
        (err: unknown) => {
          writers.delete(schemaId);
          if ((err as { status?: number }).status === 404) {
            throw new WireDecodeError(
              'unknown-schema-id',
              `schema id ${schemaId} on ${topicName} is not in the registry`,
              err,
            );
          }
          // The registry being away is not the record's fault: retriable, never dead-lettered.
          throw new BusError(`schema id ${schemaId} from the registry: ${errorMessage(err)}`, { cause: err });
        },
      );
      writers.set(schemaId, w);
    }
    return w;
  };
  const reader = new AvroReader();

  return {
    async encode(topicName, schemaName, value) {
      const id = ids.get(`${topicName}\u0000${schemaName}`) ?? (await register(topicName, schemaName));
      return frame(id, toAvro(topicName, schemaName, avroType(schemaName), value));
    },
    async decode(topicName, bytes) {
      const { schemaId, payload } = unframe(topicName, bytes);
      return reader.read(topicName, schemaId, await writerSchema(topicName, schemaId), payload);
    },
  };
}
