import type avro from 'avsc';
import { avroType, recordNames, type RecordName } from '../../schemas/records.ts';
import { DecodeError, ValidationError } from '../errors.ts';
import type { Codec } from './codec.ts';

// The embedded bus carries the same bytes Kafka would (magic byte 0, big-endian int32 schema id, Avro body),
// so serialization is exercised in every test and in `npm start`. Schema ids are assigned in-process.

const MAGIC = 0;

export class LocalRegistryCodec implements Codec {
  private readonly ids = new Map<RecordName, number>();
  private readonly byId = new Map<number, avro.Type>();

  constructor() {
    recordNames.forEach((name, i) => {
      this.ids.set(name, i + 1);
      this.byId.set(i + 1, avroType(name));
    });
  }

  async encode(topicName: string, schemaName: RecordName, value: unknown): Promise<Buffer> {
    const type = avroType(schemaName);
    const paths: string[] = [];
    if (!type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) })) {
      throw new ValidationError(`${schemaName} for ${topicName} is invalid at ${paths.join(', ') || 'the root'}`);
    }
    const body = type.toBuffer(value);
    const header = Buffer.alloc(5);
    header.writeUInt8(MAGIC, 0);
    header.writeInt32BE(this.ids.get(schemaName)!, 1);
    return Buffer.concat([header, body]);
  }

  async decode(topicName: string, bytes: Buffer): Promise<unknown> {
    if (bytes.length < 5) throw new DecodeError(`truncated: ${bytes.length} bytes is shorter than the 5-byte header`);
    if (bytes[0] !== MAGIC) throw new DecodeError(`wrong magic byte ${bytes[0]} (expected 0)`);
    const id = bytes.readInt32BE(1);
    const type = this.byId.get(id);
    if (!type) throw new DecodeError(`unknown schema id ${id}`);
    try {
      return type.fromBuffer(bytes.subarray(5));
    } catch (err) {
      throw new DecodeError(`not a valid ${type.name} body (truncated or corrupt) on ${topicName}`, err);
    }
  }
}
