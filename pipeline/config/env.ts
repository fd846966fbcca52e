import { ConfigError } from '../errors.ts';

// Typed readers for environment variables. Each failure names the variable and the value it got, so a
// misconfigured worker stops at start with one line a person can act on.

export type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readString(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function readOptionalString(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function readInt(env: Env, name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  if (!/^-?\d+$/.test(value) || n < min || n > max) {
    throw new ConfigError(name, `must be an integer between ${min} and ${max} (got "${value}")`);
  }
  return n;
}

export function readNumber(
  env: Env,
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  const { min = -Infinity, max = Infinity } = range;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(name, `must be a number between ${min} and ${max} (got "${value}")`);
  }
  return n;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(name, `must be true or false (got "${value}")`);
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `2s`, `1m`, `1h`, `1d` or a plain number of milliseconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * durationUnits[match[2] ?? 'ms']!);
}

export function readDuration(env: Env, name: string, fallbackMs: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallbackMs;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new ConfigError(name, `must be a duration like 500ms, 2s, 1m or a number of ms (got "${value}")`);
  return ms;
}

export function readList(env: Env, name: string, fallback: readonly string[]): string[] {
  const value = raw(env, name);
  if (value === undefined) return [...fallback];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The process's environment: the one place settings come from (read once at start, then handed down). */
export function processEnv(): Env {
  return process.env;
}
