import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { avroSchemas, recordNames, type AvroField } from './records.ts';

// TypeScript types are generated from the .avsc files (never written by hand) so they cannot drift;
// types.test.ts regenerates this text and compares it with the committed file.

function tsType(type: unknown, named: Map<string, string>): string {
  if (typeof type === 'string') {
    switch (type) {
      case 'null':
        return 'null';
      case 'string':
        return 'string';
      case 'boolean':
        return 'boolean';
      case 'int':
      case 'long':
      case 'float':
      case 'double':
        return 'number';
      case 'bytes':
        return 'Buffer';
      default: {
        const known = named.get(type.replace(/^candleflow\./, ''));
        if (known) return known;
        throw new Error(`unknown Avro type ${type}`);
      }
    }
  }
  if (Array.isArray(type)) return type.map((t) => tsType(t, named)).join(' | ');
  const t = type as { type: string; name?: string; symbols?: string[]; items?: unknown };
  if (t.type === 'enum') {
    const literal = t.symbols!.map((s) => `'${s}'`).join(' | ');
    named.set(t.name!, t.name!);
    enums.push(`export type ${t.name} = ${literal};`);
    return t.name!;
  }
  if (t.type === 'array') return `${tsType(t.items, named)}[]`;
  return tsType(t.type, named);
}

let enums: string[] = [];

export function renderTypes(): string {
  enums = [];
  const named = new Map<string, string>();
  const records = recordNames.map((name) => {
    const schema = avroSchemas[name];
    const fields = schema.fields.map(
      (f: AvroField) => `  /** ${f.doc ?? ''} */\n  ${f.name}: ${tsType(f.type, named)};`,
    );
    return `/** ${schema.doc ?? ''} */\nexport interface ${name} {\n${fields.join('\n')}\n}`;
  });
  return [
    '// Generated from schemas/avro/*.avsc by schemas/generate-types.ts (npm run gen). Do not edit.',
    '',
    ...enums,
    '',
    records.join('\n\n'),
    '',
    `export interface Records {\n${recordNames.map((n) => `  ${n}: ${n};`).join('\n')}\n}`,
    '',
  ].join('\n');
}

export const typesFile = fileURLToPath(new URL('./types.ts', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(typesFile, renderTypes());
  console.log(`wrote ${typesFile}`);
}
