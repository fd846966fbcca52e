import { ConfigError } from '../errors.ts';
import { parseDuration, type Env } from './env.ts';

// Every environment variable the pipeline reads is declared once, here or in the module that owns it, as a
// Setting: its name, its default, its rule and a sentence for the README. A worker compiles the settings of the
// parts it runs once at start (compileConfig), checks the rules that span several variables, freezes the result
// and hands it down; nothing reads the environment after that.

export interface Setting<T> {
  readonly variable: string;
  readonly doc: string;
  /** The default as a person would write it (`2s`, `1m,5m`); 'unset' when there is none. */
  readonly defaultText: string;
  /** Parses the variable's text (undefined when unset or blank); throws a ConfigError naming the variable. */
  parse(text: string | undefined): T;
}

type Parse<T> = (text: string) => T;

/** A setting from a parser of its (non-blank) text; the parser throws a plain Error whose message names the rule. */
export function setting<T>(
  variable: string,
  options: { default: T; defaultText?: string; doc: string; parse: Parse<T> },
): Setting<T> {
  return {
    variable,
    doc: options.doc,
    defaultText: options.defaultText ?? (options.default === undefined ? 'unset' : String(options.default)),
    parse(text) {
      const value = text?.trim();
      if (value === undefined || value === '') return options.default;
      try {
        return options.parse(value);
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        throw new ConfigError(variable, `${(err as Error).message} (got "${value}")`);
      }
    },
  };
}

interface Range {
  min?: number;
  max?: number;
}

function inRange(n: number, { min = -Infinity, max = Infinity }: Range, what: string): number {
  if (n >= min && n <= max) return n;
  if (min > -Infinity && max < Infinity) throw new Error(`must be ${what} between ${min} and ${max}`);
  if (min > -Infinity) throw new Error(`must be ${what} of at least ${min}`);
  if (max < Infinity) throw new Error(`must be ${what} of at most ${max}`);
  throw new Error(`must be ${what}`);
}

export const settings = {
  int(variable: string, o: { default: number; defaultText?: string; doc: string } & Range): Setting<number> {
    return setting(variable, {
      ...o,
      parse: (t) => inRange(/^-?\d+$/.test(t) ? Number(t) : NaN, o, 'an integer'),
    });
  },
  number(variable: string, o: { default: number; doc: string } & Range): Setting<number> {
    return setting(variable, { ...o, parse: (t) => inRange(Number(t), o, 'a number') });
  },
  /** `250ms`, `2s`, `1m`, `1h`, `1d` or a number of milliseconds. */
  duration(variable: string, o: { default: number; defaultText?: string; doc: string } & Range): Setting<number> {
    return setting(variable, {
      ...o,
      defaultText: o.defaultText ?? formatDuration(o.default),
      parse: (t) => inRange(parseDuration(t) ?? NaN, o, 'a duration like 500ms, 2s, 1m or a number of ms'),
    });
  },
  boolean(variable: string, o: { default: boolean; doc: string }): Setting<boolean> {
    return setting(variable, {
      ...o,
      parse: (t) => {
        if (/^(1|true|yes|on)$/i.test(t)) return true;
        if (/^(0|false|no|off)$/i.test(t)) return false;
        throw new Error('must be true or false');
      },
    });
  },
  oneOf<const V extends string>(variable: string, values: readonly V[], o: { default: V; doc: string }): Setting<V> {
    return setting(variable, {
      ...o,
      parse: (t) => {
        if (!(values as readonly string[]).includes(t)) throw new Error(`must be one of ${values.join(', ')}`);
        return t as V;
      },
    });
  },
  text(variable: string, o: { default: string; doc: string; pattern?: RegExp; rule?: string }): Setting<string> {
    return setting(variable, {
      ...o,
      parse: (t) => {
        if (o.pattern && !o.pattern.test(t)) throw new Error(o.rule ?? `must match ${o.pattern}`);
        return t;
      },
    });
  },
  optionalText(variable: string, o: { doc: string; pattern?: RegExp; rule?: string }): Setting<string | undefined> {
    return setting<string | undefined>(variable, {
      ...o,
      default: undefined,
      parse: (t) => {
        if (o.pattern && !o.pattern.test(t)) throw new Error(o.rule ?? `must match ${o.pattern}`);
        return t;
      },
    });
  },
  /** A comma list; `item` checks and converts each entry. */
  list<T = string>(
    variable: string,
    o: { default: readonly T[]; doc: string; item?: Parse<T>; defaultText?: string },
  ): Setting<readonly T[]> {
    return setting<readonly T[]>(variable, {
      ...o,
      defaultText: o.defaultText ?? o.default.join(','),
      parse: (t) => {
        const items = t.split(',').map((s) => s.trim());
        if (items.some((s) => s.length === 0)) throw new Error('must be a comma list without empty entries');
        return items.map((s) => (o.item ? o.item(s) : (s as T)));
      },
    });
  },
};

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export type Settings = Readonly<Record<string, Setting<unknown>>>;
export type ValuesOf<S extends Settings> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** A module's settings plus its cross-field rules and derived values: compiled once per worker. */
export interface ConfigSpec<C> {
  readonly settings: Settings;
  compile(env: Env): C;
}

/**
 * Declares a module's configuration. `derive` turns the parsed values into the module's config type and checks
 * rules across variables (throw ConfigError naming one of them); the compiled result is deeply frozen.
 */
export function defineConfig<S extends Settings, C = ValuesOf<S>>(
  spec: S,
  derive?: (values: ValuesOf<S>) => C,
): ConfigSpec<Readonly<C>> {
  return {
    settings: spec,
    compile(env) {
      const values: Record<string, unknown> = {};
      for (const [key, s] of Object.entries(spec)) values[key] = s.parse(env[s.variable]);
      const config = derive ? derive(values as ValuesOf<S>) : (values as C);
      return deepFreeze(config);
    },
  };
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
