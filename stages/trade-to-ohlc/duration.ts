import { InputError, parseDuration as parseDurationMs } from '../../pipeline/index.ts';

/** Parses `2s`, `500ms`, `1m`, `0`; a bare number is milliseconds. Throws InputError naming `what`. */
export function parseDuration(text: string, what: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new InputError(`${what}: "${text}" is not a duration (e.g. 2s, 500ms, 1m)`);
  return ms;
}
