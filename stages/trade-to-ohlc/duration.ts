import { InputError } from '../../pipeline/index.ts';

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `2s`, `500ms`, `1m`, `0`; a bare number is milliseconds. Throws InputError naming `what`. */
export function parseDuration(text: string, what: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new InputError(`${what}: "${text}" is not a duration (e.g. 2s, 500ms, 1m)`);
  const value = Number(match[1]) * units[match[2] ?? 'ms']!;
  if (!Number.isFinite(value)) throw new InputError(`${what}: "${text}" is not a finite duration`);
  return Math.round(value);
}
