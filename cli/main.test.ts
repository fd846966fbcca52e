import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../schemas/topics.ts';
import { main } from './main.ts';

async function cli(argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d));
  stderr.on('data', (d: Buffer) => (err += d));
  const code = await main(argv, { stdin: new PassThrough(), stdout, stderr, env });
  return { code, out, err };
}

describe('candleflow CLI', () => {
  it('topics --json prints one object per catalogue topic', async () => {
    const { code, out } = await cli(['topics', '--json']);
    expect(code).toBe(0);
    const { topics, wiring } = JSON.parse(out) as {
      topics: { name: string; deadLetterTopic: string; key: string; external: boolean }[];
      wiring: { ok: boolean; problems: string[] };
    };
    expect(wiring).toEqual({ ok: true, problems: [] });
    expect(topics.map((t) => t.name)).toEqual(catalogue.map((t) => t.name));
    expect(topics.find((t) => t.name === 'trades')?.external).toBe(true);
    expect(topics.find((t) => t.name === 'candles')).toMatchObject({
      key: 'symbol|timeframe|start',
      deadLetterTopic: 'candles.dlq',
    });
  });

  it('topics prints a table with every topic', async () => {
    const { code, out } = await cli(['topics']);
    expect(code).toBe(0);
    for (const t of catalogue) expect(out).toMatch(new RegExp(`^${t.name.replace('.', '\\.')}\\s`, 'm'));
  });

  it('answers --help for the CLI and for each command', async () => {
    expect((await cli(['--help'])).out).toMatch(/Usage: candleflow <command>/);
    for (const command of ['dev', 'run', 'topics', 'gen', 'candles', 'indicators']) {
      const { code, out } = await cli([command, '--help']);
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`Usage: candleflow ${command}`));
    }
  });

  it('exits 2 with one line for an unknown command, stage, or option', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    const stage = await cli(['run', 'no-such-stage']);
    expect(stage.code).toBe(2);
    expect(stage.err).toMatch(/^candleflow run: unknown stage "no-such-stage"/);
    const option = await cli(['topics', '--jsn']);
    expect(option.code).toBe(2);
    expect(option.err.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['PORT', 'abc', /PORT must be an integer between 0 and 65535 \(got "abc"\)/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/],
    ['SHUTDOWN_GRACE_MS', 'soon', /SHUTDOWN_GRACE_MS must be a duration/],
    ['BATCH_MAX_RECORDS', '0', /BATCH_MAX_RECORDS must be an integer between 1 and 100000/],
  ])('stops dev at start when %s=%s, naming the variable in one line', async (name, value, message) => {
    const { code, err } = await cli(['dev'], { [name]: value });
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});
