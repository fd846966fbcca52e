import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { InMemoryModelRegistry } from './memory-model-registry.ts';
import { parseModelRef, resolveActivation } from './model-registry.ts';

// Registry refusals against real model folders: the bundled models, copied and then broken one way at a time.

const bundled = (name: string) => fileURLToPath(new URL(`../../models/${name}/`, import.meta.url));
const temps: string[] = [];

function copyOf(name: string, edit?: (card: Record<string, any>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), `cf-model-${name}-`));
  temps.push(dir);
  cpSync(bundled(name), dir, { recursive: true });
  if (edit) {
    const card = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, any>;
    edit(card);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(card));
  }
  return dir;
}

afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function refusal(dir: string): Promise<InputError> {
  const err = await new InMemoryModelRegistry().register(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('InMemoryModelRegistry', () => {
  it('registers, lists and activates the bundled models', async () => {
    const registry = new InMemoryModelRegistry();
    expect(await registry.active('return-forecast')).toBeNull();
    const ridge = await registry.register(bundled('ridge-h5'));
    const gru = await registry.register(bundled('gru-h5'));
    expect(ridge).toMatchObject({
      name: 'ridge-h5',
      version: '1.0.0',
      task: 'return-forecast',
      kind: 'linear',
      active: false,
    });
    expect((await registry.list()).map((m) => `${m.name}@${m.version}`)).toEqual(['gru-h5@1.0.0', 'ridge-h5@1.0.0']);
    await registry.activate('gru-h5', '1.0.0');
    // A forecast model serves its own timeframe unless told otherwise.
    expect(await registry.active('return-forecast', { symbol: 'BTC/USD', timeframe: '1m' })).toMatchObject({
      name: 'gru-h5',
      version: '1.0.0',
      sha256: gru.sha256,
      dir: gru.dir,
      scope: { timeframe: '1m' },
    });
    expect(await registry.active('return-forecast', { symbol: 'BTC/USD', timeframe: '5m' })).toBeNull();
    expect(await registry.active('sentiment')).toBeNull();
    await registry.activate('ridge-h5', '1.0.0');
    expect((await registry.list()).filter((m) => m.active).map((m) => m.name)).toEqual(['ridge-h5']);
    // The same folder again is a no-op, not a second entry.
    await registry.register(bundled('ridge-h5'));
    expect(await registry.list()).toHaveLength(2);
  });

  it('keeps one model per task and scope, the most specific serving a series', async () => {
    const registry = new InMemoryModelRegistry();
    await registry.register(bundled('ridge-h5'));
    await registry.register(bundled('gru-h5'));
    await registry.activate('ridge-h5', '1.0.0');
    await registry.activate('gru-h5', '1.0.0', { symbol: 'ETH/USD', timeframe: '1m' });
    expect((await registry.active('return-forecast', { symbol: 'BTC/USD', timeframe: '1m' }))?.name).toBe('ridge-h5');
    expect((await registry.active('return-forecast', { symbol: 'ETH/USD', timeframe: '1m' }))?.name).toBe('gru-h5');
    await registry.activate('gru-h5', '1.0.0');
    expect((await registry.activations('return-forecast')).map((a) => `${a.name}:${a.scope.symbol ?? '*'}`)).toEqual([
      'gru-h5:ETH/USD',
      'gru-h5:*',
    ]);
    expect((await registry.list()).filter((m) => m.active).map((m) => m.name)).toEqual(['gru-h5']);
  });

  it('resolves symbol and timeframe before timeframe, before symbol, before task-wide', () => {
    const a = (name: string, symbol?: string, timeframe?: string) => ({
      name,
      scope: { ...(symbol ? { symbol } : {}), ...(timeframe ? { timeframe } : {}) },
    });
    const all = [a('any'), a('sym', 'BTC/USD'), a('tf', undefined, '1m'), a('both', 'BTC/USD', '1m')];
    expect(resolveActivation(all, { symbol: 'BTC/USD', timeframe: '1m' })?.name).toBe('both');
    expect(resolveActivation(all, { symbol: 'ETH/USD', timeframe: '1m' })?.name).toBe('tf');
    expect(resolveActivation(all, { symbol: 'BTC/USD', timeframe: '5m' })?.name).toBe('sym');
    expect(resolveActivation(all, { symbol: 'ETH/USD', timeframe: '5m' })?.name).toBe('any');
    expect(resolveActivation(all.slice(1), { symbol: 'ETH/USD', timeframe: '5m' })).toBeNull();
  });

  it('refuses a card with a missing field, naming it', async () => {
    const err = await refusal(copyOf('ridge-h5', (c) => delete c.horizon));
    expect(err.message).toMatch(/cannot register .*: model card: horizon must be a positive integer/);
  });

  it('refuses a feature that is not a FeatureVector field', async () => {
    const err = await refusal(copyOf('ridge-h5', (c) => (c.inputs.features[0] = 'sentiment')));
    expect(err.message).toContain('inputs.features names "sentiment", which is not a numeric FeatureVector field');
  });

  it('refuses a model.onnx whose sha256 differs from the card', async () => {
    const dir = copyOf('ridge-h5');
    cpSync(join(bundled('gru-h5'), 'model.onnx'), join(dir, 'model.onnx'));
    const err = await refusal(dir);
    expect(err.message).toMatch(/sha256 of model.onnx is [0-9a-f]{64}, but the card says [0-9a-f]{64}/);
  });

  it("refuses ONNX input or output names other than the card's", async () => {
    expect((await refusal(copyOf('gru-h5', (c) => (c.onnx.inputName = 'x')))).message).toContain(
      'ONNX inputs are [features], the card expects [x]',
    );
    const out = await refusal(copyOf('gru-h5', (c) => ((c.onnx.outputName = 'y'), (c.output.name = 'y'))));
    expect(out.message).toContain('ONNX outputs are [log_return], the card expects [y]');
  });

  it('refuses a card whose window length does not fit the ONNX input shape', async () => {
    const err = await refusal(
      copyOf('ridge-h5', (c) => ((c.inputs.windowLength = 2), (c.onnx.inputShape = [-1, 2, 9]))),
    );
    expect(err.message).toMatch(/a dry run with features \[1, 2, 9\] .* fails/);
  });

  it('refuses a card whose shape contradicts its own window length', async () => {
    const err = await refusal(copyOf('gru-h5', (c) => (c.onnx.inputShape = [-1, 10, 9])));
    expect(err.message).toContain('onnx.inputShape must be [-1, 30, 9]');
  });

  it('refuses a second file under a registered name@version, and unknown activations', async () => {
    const registry = new InMemoryModelRegistry();
    await registry.register(bundled('ridge-h5'));
    const dir = copyOf('ridge-h5');
    cpSync(join(bundled('gru-h5'), 'model.onnx'), join(dir, 'model.onnx'));
    const card = JSON.parse(readFileSync(join(bundled('gru-h5'), 'model.json'), 'utf8')) as Record<string, any>;
    card.name = 'ridge-h5';
    writeFileSync(join(dir, 'model.json'), JSON.stringify(card));
    await expect(registry.register(dir)).rejects.toThrow(
      /ridge-h5@1.0.0 is already registered with sha256 .*give it a new version/,
    );
    await expect(registry.activate('gru-h5', '9.9.9')).rejects.toThrow(
      'cannot activate gru-h5@9.9.9: it is not registered (registered: ridge-h5@1.0.0)',
    );
  });

  it('parses name@version references', () => {
    expect(parseModelRef('gru-h5@1.0.0')).toEqual({ name: 'gru-h5', version: '1.0.0' });
    expect(() => parseModelRef('gru-h5')).toThrow('must be name@version');
  });
});
