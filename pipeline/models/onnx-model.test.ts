import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOnnxModel } from './onnx-model.ts';

const dir = fileURLToPath(new URL('../../models/ridge-h5/', import.meta.url));

describe('loadOnnxModel execution provider', () => {
  it('runs on cuda where onnxruntime has it, else falls back to cpu with exactly one log line per process', async () => {
    const warnings: string[] = [];
    const log = { info() {}, warn: (_o: unknown, msg?: string) => void warnings.push(msg ?? '') };
    const first = await loadOnnxModel(dir, { provider: 'cuda', log });
    const second = await loadOnnxModel(dir, { provider: 'cuda', log });
    expect(second.provider).toBe(first.provider);
    expect(warnings).toEqual(
      first.provider === 'cuda' ? [] : ['CUDA execution provider unavailable, running models on cpu'],
    );
    const out = await second.runBatch(new Float32Array(2 * second.exampleSize), 2);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(out[1]);
    await first.release();
    await second.release();
  });

  it('runs on cpu when asked, without a log line', async () => {
    const warnings: string[] = [];
    const model = await loadOnnxModel(dir, {
      provider: 'cpu',
      log: { info() {}, warn: () => void warnings.push('x') },
    });
    expect(model.provider).toBe('cpu');
    expect(warnings).toEqual([]);
    await model.release();
  });
});
