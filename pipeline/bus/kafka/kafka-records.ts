import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { BusMessage, BusRecord, Headers } from '../bus.ts';

// Records between kafkajs and the Bus: a fetched KafkaMessage becomes a BusRecord (string key and headers,
// numeric offset and timestamp), a BusMessage becomes the Message kafkajs sends.

/** Header values as strings; of a repeated header, the last value. */
export function headersFrom(headers: IHeaders | undefined): Headers {
  const out: Headers = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return out;
}

export function toBusRecord(topic: string, partition: number, m: KafkaMessage): BusRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value ?? Buffer.alloc(0),
    headers: headersFrom(m.headers),
    timestamp: Number(m.timestamp),
  };
}

/** The messages to send; those without an event time are stamped `now`. */
export function toKafkaMessages(messages: readonly BusMessage[], now: number): Message[] {
  return messages.map((m) => ({
    key: m.key,
    value: m.value,
    headers: m.headers,
    partition: m.partition,
    timestamp: String(m.timestamp ?? now),
  }));
}

/**
 * Splits messages into sends of at most about `maxBytes` (keys, values and headers counted). kafkajs puts all of
 * a send's records for one partition into one record batch, and a broker refuses a batch above its
 * `message.max.bytes` (1 MiB by default) with MESSAGE_TOO_LARGE, which kafkajs does not split and retry.
 */
export function sendsOf<M extends Pick<BusMessage, 'key' | 'value' | 'headers'>>(
  messages: readonly M[],
  maxBytes = 512 * 1024,
): M[][] {
  const sends: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    let size = 70 + m.value.length + (m.key?.length ?? 0);
    for (const name in m.headers) size += name.length + m.headers[name]!.length + 2;
    if (current.length > 0 && bytes + size > maxBytes) {
      sends.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) sends.push(current);
  return sends;
}
