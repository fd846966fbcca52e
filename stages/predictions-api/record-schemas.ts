import { avroSchemas, type RecordName } from '../../schemas/records.ts';

// Response JSON schemas derived from the Avro schemas, so the API, its OpenAPI document and the topics describe
// records identically. Every timestamp-millis field `t` is answered twice: `t` (epoch ms) and `tIso`.

type JsonSchema = Record<string, unknown>;

function jsonType(type: unknown): JsonSchema {
  if (Array.isArray(type)) {
    const branches = type.map(jsonType);
    const types = branches.flatMap((b) => (Array.isArray(b.type) ? b.type : [b.type]));
    const merged: JsonSchema = { ...branches.find((b) => b.type !== 'null'), type: [...new Set(types)] };
    return merged;
  }
  if (typeof type === 'object' && type !== null) {
    const t = type as { type: string; symbols?: string[]; items?: unknown };
    if (t.type === 'enum') return { type: 'string', enum: t.symbols };
    if (t.type === 'array') return { type: 'array', items: jsonType(t.items) };
    return jsonType(t.type);
  }
  switch (type) {
    case 'null':
      return { type: 'null' };
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'int':
    case 'long':
      return { type: 'integer' };
    default:
      return { type: 'number' };
  }
}

export function timeFields(name: RecordName): string[] {
  return avroSchemas[name].fields
    .filter(
      (f) =>
        typeof f.type === 'object' &&
        f.type !== null &&
        (f.type as { logicalType?: string }).logicalType === 'timestamp-millis',
    )
    .map((f) => f.name);
}

export function recordSchema(name: RecordName): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of avroSchemas[name].fields) {
    properties[field.name] = { ...jsonType(field.type), ...(field.doc ? { description: field.doc } : {}) };
  }
  for (const t of timeFields(name))
    properties[`${t}Iso`] = { type: 'string', format: 'date-time', description: `${t} as ISO-8601 UTC.` };
  return { type: 'object', title: name, properties, required: Object.keys(properties) };
}

/** Adds the ISO form of each time field. */
export function withIsoTimes<T extends object>(name: RecordName): (row: T) => T {
  const fields = timeFields(name);
  return (row) => {
    const out: Record<string, unknown> = { ...(row as Record<string, unknown>) };
    for (const f of fields) out[`${f}Iso`] = new Date(out[f] as number).toISOString();
    return out as T;
  };
}

/** `{ data: [items...] }`: the answer of a route that returns one list. */
export function listSchema(items: JsonSchema): JsonSchema {
  return { type: 'object', properties: { data: { type: 'array', items } }, required: ['data'] };
}

export function pageSchema(name: RecordName): JsonSchema {
  return {
    type: 'object',
    properties: {
      data: { type: 'array', items: recordSchema(name) },
      next: {
        type: ['string', 'null'],
        description: 'Cursor of the next (older) page: pass it as `cursor`; null on the last page.',
      },
    },
    required: ['data', 'next'],
  };
}

export const errorSchema: JsonSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    parameter: { type: 'string', description: 'The query parameter at fault (400 only).' },
  },
  required: ['statusCode', 'error', 'message'],
};
