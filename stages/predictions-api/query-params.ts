import { SYMBOL_PATTERN } from '../../schemas/validate.ts';
import type { Cursor } from './queries.ts';
import { badRequest } from './api-error.ts';

// Query-string values beyond what JSON schema can say: times in two notations, symbols in two spellings,
// opaque cursors. Each failure is a 400 naming the parameter.

/** BTC/USD (URL-encoded BTC%2FUSD) or BTC-USD, any case; returned as BTC/USD. */
export function parseSymbol(raw: string, parameter = 'symbol'): string {
  const symbol = raw.trim().toUpperCase().replace('-', '/');
  if (!SYMBOL_PATTERN.test(symbol)) throw badRequest(parameter, `"${raw}" is not a symbol like BTC/USD or BTC-USD`);
  return symbol;
}

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch milliseconds (digits) or ISO-8601 (a date-time without offset is UTC); epoch ms out. */
export function parseTime(raw: string, parameter: string): number {
  const text = raw.trim();
  if (/^-?\d+$/.test(text)) {
    const ms = Number(text);
    if (!Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15)
      throw badRequest(parameter, `${text} is out of the range of epoch milliseconds`);
    return ms;
  }
  const m = ISO.exec(text);
  if (!m) throw badRequest(parameter, `"${raw}" is neither epoch milliseconds nor an ISO-8601 time`);
  const [y, mo, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, mo - 1, d));
  // Date.parse rolls 2019-02-30 over into March; a date that does not exist is an input error.
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    throw badRequest(parameter, `"${raw}" is not a valid ISO-8601 time (no such date)`);
  const utc = m[1] !== undefined && m[4] === undefined ? `${text}Z` : text;
  const ms = Date.parse(utc.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw badRequest(parameter, `"${raw}" is not a valid ISO-8601 time`);
  return ms;
}

export function parseRange(from: string | undefined, to: string | undefined): { from?: number; to?: number } {
  const range: { from?: number; to?: number } = {};
  if (from !== undefined) range.from = parseTime(from, 'from');
  if (to !== undefined) range.to = parseTime(to, 'to');
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw badRequest('from', `${new Date(range.from).toISOString()} is after to ${new Date(range.to).toISOString()}`);
  }
  return range;
}

export function encodeCursor(cursor: Cursor): string {
  const parts: (number | string)[] = cursor.tiebreak === undefined ? [cursor.time] : [cursor.time, cursor.tiebreak];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(raw: string): Cursor {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('cursor', 'is not a cursor this API returned');
  }
  if (
    !Array.isArray(parts) ||
    !Number.isSafeInteger(parts[0]) ||
    parts.length > 2 ||
    (parts.length === 2 && typeof parts[1] !== 'string')
  ) {
    throw badRequest('cursor', 'is not a cursor this API returned');
  }
  return parts.length === 2 ? { time: parts[0] as number, tiebreak: parts[1] as string } : { time: parts[0] as number };
}
