import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every environment variable the code reads is in the README's configuration table: a setting a user cannot
// find does not exist for them.

const root = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('README configuration table', () => {
  it('documents every environment variable the pipeline reads', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(
      readme.indexOf('## Configuration'),
      readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5),
    );
    const read = new Set<string>();
    for (const file of ['pipeline', 'stages', 'cli'].flatMap((d) => sources(join(root, d)))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\benv(?:\.|, ')([A-Z][A-Z0-9_]{2,})/g)) read.add(m[1]!);
      for (const m of text.matchAll(/ConfigError\('([A-Z][A-Z0-9_]{2,})'/g)) read.add(m[1]!);
      for (const m of text.matchAll(/\bread\('([A-Z][A-Z0-9_]{2,})'/g)) read.add(m[1]!);
    }
    expect(read.size).toBeGreaterThan(30);
    const missing = [...read].filter((name) => !name.startsWith('OTEL_') && !table.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
