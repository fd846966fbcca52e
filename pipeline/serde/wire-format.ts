import type avro from 'avsc';
import { topicByName } from '../../schemas/topics.ts';
import { avroType } from '../../schemas/records.ts';
import { DecodeError, ValidationError, errorMessage } from '../errors.ts';

// The Confluent wire format shared by both codecs, and the Avro steps around it.

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export type DecodeFailure = 'truncated' | 'wrong-magic-byte' | 'unknown-schema-id' | 'invalid-avro';

/** A DecodeError that says which way the bytes were wrong (the dead-letter reason). */
export class WireDecodeError extends DecodeError {
  readonly reason: DecodeFailure;
  constructor(reason: DecodeFailure, message: string, cause?: unknown) {
    super(`${reason}: ${message}`, cause);
    this.reason = reason;
  }
}

export function frame(schemaId: number, avroBytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + avroBytes.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  avroBytes.copy(out, HEADER_BYTES);
  return out;
}

export function unframe(topicName: string, bytes: Buffer): { schemaId: number; payload: Buffer } {
  if (bytes.length === 0) throw new WireDecodeError('truncated', `empty value on ${topicName}`);
  if (bytes[0] !== MAGIC_BYTE) {
    throw new WireDecodeError(
      'wrong-magic-byte',
      `first byte 0x${bytes[0]!.toString(16).padStart(2, '0')} on ${topicName}, expected 0x00`,
    );
  }
  if (bytes.length < HEADER_BYTES) {
    throw new WireDecodeError('truncated', `${bytes.length} bytes on ${topicName}: shorter than the 5-byte header`);
  }
  return { schemaId: bytes.readInt32BE(1), payload: bytes.subarray(HEADER_BYTES) };
}

/** Encodes with the compiled type of `schemaName`; a value that does not fit says which fields. */
export function toAvro(topicName: string, schemaName: string, type: avro.Type, value: unknown): Buffer {
  try {
    return type.toBuffer(value);
  } catch (err) {
    const paths: string[] = [];
    type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
    throw new ValidationError(
      `value for ${topicName} is not a valid ${schemaName} (${paths.join(', ') || errorMessage(err)})`,
    );
  }
}

/** Reads writer-schema bytes into the topic's current record type (schema evolution), once per schema id. */
export class AvroReader {
  private readonly resolvers = new Map<number, (payload: Buffer) => unknown>();

  read(topicName: string, schemaId: number, writer: avro.Type, payload: Buffer): unknown {
    const cacheKey = schemaId;
    let read = this.resolvers.get(cacheKey);
    if (!read) {
      read = readerFor(topicName, writer);
      this.resolvers.set(cacheKey, read);
    }
    try {
      return read(payload);
    } catch (err) {
      const message = errorMessage(err);
      const reason = /truncated/i.test(message) ? 'truncated' : 'invalid-avro';
      throw new WireDecodeError(reason, `schema id ${schemaId} on ${topicName}: ${message}`, err);
    }
  }
}

function readerFor(topicName: string, writer: avro.Type): (payload: Buffer) => unknown {
  const spec = topicByName(topicName);
  if (!spec) return (payload) => writer.fromBuffer(payload);
  const reader = avroType(spec.schema);
  if (reader.fingerprint().equals(writer.fingerprint())) return (payload) => reader.fromBuffer(payload);
  const resolver = reader.createResolver(writer);
  return (payload) => reader.fromBuffer(payload, resolver);
}
