import type { RecordName } from '../../schemas/records.ts';

// A Codec turns records into the bytes of a topic and back. Both implementations write the Confluent wire
// format (magic byte 0, big-endian int32 schema id, Avro binary) so a topic written by the embedded bus and one
// written through a schema registry look the same.

export interface Codec {
  /** Avro bytes of `value` under the schema registered for subject `<topicName>-value`. */
  encode(topicName: string, schemaName: RecordName, value: unknown): Promise<Buffer>;
  /**
   * The record in `bytes`, read with the writer's schema (by id) and resolved to the topic's current schema.
   * Bytes that are not a record throw WireDecodeError (a DecodeError) whose `reason` says why.
   */
  decode(topicName: string, bytes: Buffer): Promise<unknown>;
}

/** Confluent's default subject naming (TopicNameStrategy). */
export function valueSubject(topicName: string): string {
  return `${topicName}-value`;
}
