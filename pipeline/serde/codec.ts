import type { RecordName } from '../../schemas/records.ts';

/** Turns records into wire bytes and back. Both codecs use the Confluent wire format. */
export interface Codec {
  encode(topicName: string, schemaName: RecordName, value: unknown): Promise<Buffer>;
  /** Throws DecodeError when the bytes are not a record of a known schema. */
  decode(topicName: string, bytes: Buffer): Promise<unknown>;
}
