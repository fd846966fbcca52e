import { ValidationError } from '../errors.ts';

// Field checks for model cards: each failure is one sentence naming the field, because that sentence is what
// `candleflow models register` prints.

export type Json = Record<string, unknown>;

export function fail(field: string, problem: string): never {
  throw new ValidationError(`model card: ${field} ${problem}`);
}

const join = (field: string, key: string) => `${field}.${key}`.replace(/^\./, '');

export function obj(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be an object');
  return v as Json;
}

export function str(o: Json, key: string, field: string, pattern?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(join(field, key), 'must be a non-empty string');
  if (pattern && !pattern.test(v)) fail(join(field, key), `must match ${pattern}, got "${v}"`);
  return v;
}

export function num(o: Json, key: string, field: string, check?: (n: number) => boolean, what = 'a number'): number {
  const v = o[key];
  const name = join(field, key);
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(name, `must be ${what}`);
  if (check && !check(v)) fail(name, `must be ${what}, got ${v}`);
  return v;
}

export const positiveInt = (n: number) => Number.isInteger(n) && n >= 1;

export function numbers(o: Json, key: string, field: string, length?: number): number[] {
  const v = o[key];
  const name = join(field, key);
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
    fail(name, length === undefined ? 'must be an array of numbers' : `must be an array of ${length} numbers`);
  }
  for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) fail(name, 'must hold only finite numbers');
  return v as number[];
}

/** A metrics row: finite numbers, or one level of them per class (a classifier's F1 per label). */
export function figures(v: unknown, field: string): Record<string, number | Record<string, number>> {
  const o = obj(v, field);
  if (Object.keys(o).length === 0) fail(field, 'must hold at least one figure');
  for (const [k, x] of Object.entries(o)) {
    if (typeof x === 'object' && x !== null && !Array.isArray(x)) {
      for (const [label, y] of Object.entries(x)) finite(y, `${field}.${k}.${label}`);
    } else finite(x, `${field}.${k}`);
  }
  return o as Record<string, number | Record<string, number>>;
}

function finite(x: unknown, field: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(field, 'must be a finite number');
}

/** Train, validation and test spans as ISO-8601 times, in that order without overlap. */
export function timeSpans(v: unknown, field: string): void {
  const spans = obj(v, field);
  let previousEnd = -Infinity;
  for (const s of ['train', 'validation', 'test']) {
    const span = obj(spans[s], `${field}.${s}`);
    const from = Date.parse(str(span, 'from', `${field}.${s}`));
    const to = Date.parse(str(span, 'to', `${field}.${s}`));
    if (!(from < to)) fail(`${field}.${s}`, 'must have from < to (ISO-8601 times)');
    if (from < previousEnd) fail(field, 'must be in time order train < validation < test without overlap');
    previousEnd = to;
  }
}
