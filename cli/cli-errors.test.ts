import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandListings, main } from './main.ts';

// One dialect for the whole CLI: every error of every command is one line "candleflow <command>: <message>",
// wrong arguments, settings and missing files exit 2, a failure at work exits 1.

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

const dir = mkdtempSync(join(tmpdir(), 'cf-cli-'));
const badCandles = join(dir, 'bad.jsonl');
writeFileSync(badCandles, '{"symbol":"BTC/USDT"}\n');
const badTrades = join(dir, 'bad.csv');
writeFileSync(badTrades, 'symbol,timestamp,price,amount,side\nBTC/USDT,1,abc,1,buy\n');
const missing = join(dir, 'no-such-file');

const cases: [string[], number][] = [
  [['dev', '--port', '1'], 2],
  [['dev', 'extra'], 2],
  [['run'], 2],
  [['run', 'nope'], 2],
  [['run', 'a', 'b'], 2],
  [['run', '--stage', 'x'], 2],
  [['topics', '--jsn'], 2],
  [['topics', 'extra'], 2],
  [['gen'], 2],
  [['gen', 'nope'], 2],
  [['gen', '--all'], 2],
  [['candles'], 2],
  [['candles', '--in', missing], 2],
  [['candles', '--in', missing, '--format', 'csv'], 2],
  [['candles', '--in', dir, '--format', 'csv'], 2],
  [['candles', '--in', badTrades, '--format', 'nope'], 2],
  [['candles', '--in', badTrades, '--format', 'csv', '--grace', 'soon'], 2],
  [['candles', '--in', badTrades, '--format', 'csv'], 1],
  [['indicators'], 2],
  [['indicators', '--in', missing], 2],
  [['indicators', '--in', badCandles, 'extra'], 2],
  [['indicators', '--input', badCandles], 2],
  [['indicators', '--in', badCandles], 1],
  [['models'], 2],
  [['models', 'nope'], 2],
  [['models', 'list', 'extra'], 2],
  [['models', 'activate'], 2],
  [['models', 'activate', 'no-version'], 2],
  [['models', 'list', '--symbol', 'BTC/USDT'], 2],
  [['models', 'list', '--color'], 2],
  [['models', 'register', missing], 2],
];

describe('candleflow CLI errors', () => {
  it.each(cases)('%j exits %i with one line "candleflow <command>: ..."', async (argv, expected) => {
    const { code, err } = await cli(argv, { DATA_DIR: 'memory://' });
    expect(err.endsWith('\n')).toBe(true);
    const lines = err.trimEnd().split('\n');
    const errors = lines.filter((l) => !/ read, \d+ duplicates/.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^candleflow ${argv[0]}: \\S`));
    expect(errors[0]).not.toMatch(/^candleflow \S+: CF_ERR_/);
    expect(code).toBe(expected);
  });

  it('names every worker, api included, when run gets an unknown one', async () => {
    const { err } = await cli(['run', 'nope']);
    for (const name of ['trade-source', 'trade-to-ohlc', 'postgres-sink', 'api']) expect(err).toContain(name);
  });

  it('exits 2 with one line naming the commands for an unknown command', async () => {
    const { code, err } = await cli(['frobnicate']);
    expect(code).toBe(2);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^candleflow: unknown command "frobnicate"; commands: dev, run, /);
  });

  it('lists every command in --help, with the summary each command gives itself', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    for (const listing of commandListings) {
      const command = await listing.load();
      expect(command.name).toBe(listing.name);
      expect(command.summary).toBe(listing.summary);
      expect(out).toContain(`  ${listing.name}`);
      const help = await cli([listing.name, '--help']);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(new RegExp(`Usage: candleflow ${listing.name}`));
    }
    expect(out).toContain('run api');
    expect((await cli(['run', '--help'])).out).toMatch(/Stages: .*postgres-sink, api/);
  });
});
