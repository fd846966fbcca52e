import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allSettings } from './settings-catalogue.ts';

// Every setting a worker reads is in the README's configuration table, with its default: a setting a user cannot
// find does not exist for them. (The lint keeps process.env inside pipeline/config, so settings are all there is.)

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('## Configuration');
const table = readme.slice(start, readme.indexOf('\n## ', start + 5));
const rows = new Map(
  table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => {
      const [names, defaults] = l
        .split('|')
        .slice(1, 3)
        .map((c) => c.trim());
      return [...names!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => [m[1]!, defaults!] as const);
    }),
);

describe('README configuration table', () => {
  const settings = allSettings();

  it('has a row for every setting', () => {
    expect(settings.length).toBeGreaterThan(30);
    expect(settings.map((s) => s.variable).filter((v) => !rows.has(v))).toEqual([]);
  });

  it.each(settings.map((s) => [s.variable, s.defaultText] as const))('gives %s its default %s', (variable, value) => {
    expect(rows.get(variable)).toContain(value);
  });

  it('documents no setting that does not exist', () => {
    const known = new Set(settings.map((s) => s.variable));
    expect([...rows.keys()].filter((v) => !known.has(v) && !v.startsWith('OTEL_'))).toEqual([]);
  });
});
