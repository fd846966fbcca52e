import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { runtimeConfig } from './runtime-config.ts';
import { defineConfig, settings } from './settings.ts';

const failure = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('settings', () => {
  const spec = defineConfig(
    {
      size: settings.int('SIZE', { default: 10, min: 1, max: 100, doc: 'x' }),
      wait: settings.duration('WAIT', { default: 2_000, doc: 'x' }),
      tags: settings.list('TAGS', { default: ['a'], doc: 'x' }),
      on: settings.boolean('ON', { default: false, doc: 'x' }),
    },
    (v) => {
      if (v.on && v.size < 5) throw new ConfigError('SIZE', 'must be at least 5 when ON is true');
      return v;
    },
  );

  it('compiles defaults, parses values, and freezes the result all the way down', () => {
    expect(spec.compile({})).toEqual({ size: 10, wait: 2_000, tags: ['a'], on: false });
    const c = spec.compile({ SIZE: ' 42 ', WAIT: '1m', TAGS: 'x,y', ON: 'yes' });
    expect(c).toEqual({ size: 42, wait: 60_000, tags: ['x', 'y'], on: true });
    expect(Object.isFrozen(c) && Object.isFrozen(c.tags)).toBe(true);
    expect(spec.settings.wait!.defaultText).toBe('2s');
  });

  it('names the variable and the value in one line', () => {
    expect(failure(() => spec.compile({ SIZE: '0' })).message).toBe(
      'SIZE must be an integer between 1 and 100 (got "0")',
    );
    expect(failure(() => spec.compile({ WAIT: 'soon' })).variable).toBe('WAIT');
    expect(failure(() => spec.compile({ TAGS: 'x,,y' })).message).toMatch(
      /^TAGS must be a comma list without empty entries/,
    );
    expect(failure(() => spec.compile({ ON: 'maybe' })).message).toBe('ON must be true or false (got "maybe")');
  });

  it('checks rules across variables at compile time', () => {
    expect(failure(() => spec.compile({ ON: 'true', SIZE: '2' })).message).toBe(
      'SIZE must be at least 5 when ON is true',
    );
    expect(failure(() => runtimeConfig.compile({ RETRY_INITIAL_MS: '5s', RETRY_MAX_MS: '1s' })).variable).toBe(
      'RETRY_MAX_MS',
    );
  });
});
