// Where settings come from. The settings themselves, their defaults and rules are declared in settings.ts and
// compiled once per worker; this module only names the environment and parses durations.

export type Env = Readonly<Record<string, string | undefined>>;

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `2s`, `1m`, `1h`, `1d` or a plain number of milliseconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * durationUnits[match[2] ?? 'ms']!);
}

/** The process's environment: the one place settings come from (read once at start, then handed down). */
export function processEnv(): Env {
  return process.env;
}
