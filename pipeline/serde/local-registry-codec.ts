import avro from 'avsc';
import { avroType, type RecordName } from '../../schemas/records.ts';
import { catalogue, type TopicSpec } from '../../schemas/topics.ts';
import { valueSubject, type Codec } from './codec.ts';
import { AvroReader, WireDecodeError, frame, toAvro, unframe } from './wire-format.ts';

// The codec of the embedded bus: Confluent's wire format with ids handed out in process, so no HTTP registry
// is needed and the bytes match what a schema-registry deployment would write.

/** Ids per schema (by Avro fingerprint) across subjects, as Confluent's registry assigns them. */
export class LocalSchemaRegistry {
  private readonly idsByFingerprint = new Map<string, number>();
  private readonly typesById = new Map<number, avro.Type>();
  private readonly subjects = new Map<string, number[]>();

  register(subject: string, schema: avro.Schema | avro.Type): number {
    const type = schema instanceof avro.Type ? schema : avro.Type.forSchema(schema);
    const fingerprint = type.fingerprint().toString('hex');
    let id = this.idsByFingerprint.get(fingerprint);
    if (id === undefined) {
      id = this.typesById.size + 1;
      this.idsByFingerprint.set(fingerprint, id);
      this.typesById.set(id, type);
    }
    const versions = this.subjects.get(subject) ?? [];
    if (!versions.includes(id)) this.subjects.set(subject, [...versions, id]);
    return id;
  }

  schema(id: number): avro.Type | undefined {
    return this.typesById.get(id);
  }
}

export function createLocalRegistryCodec(
  topics: readonly TopicSpec[] = catalogue,
  registry = new LocalSchemaRegistry(),
): Codec {
  const ids = new Map<string, number>();
  const idFor = (topicName: string, schemaName: RecordName): number => {
    const key = `${topicName}\u0000${schemaName}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = registry.register(valueSubject(topicName), avroType(schemaName));
      ids.set(key, id);
    }
    return id;
  };
  for (const t of topics) idFor(t.name, t.schema);
  const reader = new AvroReader();

  return {
    async encode(topicName, schemaName, value) {
      return frame(idFor(topicName, schemaName), toAvro(topicName, schemaName, avroType(schemaName), value));
    },
    async decode(topicName, bytes) {
      const { schemaId, payload } = unframe(topicName, bytes);
      const writer = registry.schema(schemaId);
      if (!writer)
        throw new WireDecodeError('unknown-schema-id', `schema id ${schemaId} on ${topicName} is not registered`);
      return reader.read(topicName, schemaId, writer, payload);
    },
  };
}
