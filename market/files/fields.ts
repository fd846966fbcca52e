import { InputError } from '../../pipeline/index.ts';

// Small strict readers shared by the file formats: a bad field names its line and column.

export function numberField(fields: readonly string[], index: number, name: string, lineNumber: number): number {
  const text = fields[index];
  const value = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw new InputError(`line ${lineNumber}: ${name} "${text ?? ''}" is not a number`);
  }
  return value;
}

export function positiveField(fields: readonly string[], index: number, name: string, lineNumber: number): number {
  const value = numberField(fields, index, name, lineNumber);
  if (value < 0) throw new InputError(`line ${lineNumber}: ${name} ${value} is negative`);
  return value;
}

export function requireColumns(fields: readonly string[], count: number, layout: string, lineNumber: number): void {
  if (fields.length < count) {
    throw new InputError(`line ${lineNumber}: expected ${count} columns (${layout}), got ${fields.length}`);
  }
}

/** Epoch ms from epoch seconds, ms or µs (Binance's dumps switched to µs in 2025), or an ISO-8601 string. */
export function timestampField(fields: readonly string[], index: number, name: string, lineNumber: number): number {
  const text = (fields[index] ?? '').trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    if (n >= 1e14) return Math.floor(n / 1000);
    return Math.floor(n);
  }
  const parsed = Date.parse(text);
  if (text === '' || Number.isNaN(parsed) || !/^\d{4}-\d\d-\d\d/.test(text)) {
    throw new InputError(`line ${lineNumber}: ${name} "${text}" is neither epoch milliseconds nor ISO-8601`);
  }
  return parsed;
}

export function booleanField(fields: readonly string[], index: number, name: string, lineNumber: number): boolean {
  const text = (fields[index] ?? '').trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new InputError(`line ${lineNumber}: ${name} "${fields[index] ?? ''}" is not true or false`);
}

/** A header row starts with a non-numeric first field. */
export function looksLikeHeader(fields: readonly string[]): boolean {
  const first = (fields[0] ?? '').trim();
  return first !== '' && !/^[\d.+-]/.test(first);
}
