import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli-process.ts';

// MODEL_EXECUTION_PROVIDER=cuda on a machine without the CUDA provider: the fallback is one JSON warning line,
// and onnxruntime's own native error (printed in red by its C++ logger) does not reach stdout or stderr.

function run(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/onnx/load-cuda-model.ts'], { cwd: repoRoot });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('CUDA execution provider fallback', () => {
  it('logs only JSON lines, one warning when it falls back to cpu', async () => {
    const { code, stdout, stderr } = await run();
    expect(code).toBe(0);
    expect(stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'))).toEqual([]);
    const lines = stdout.trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { msg: string; provider?: string });
    const done = records.find((r) => r.msg === 'script done')!;
    const warnings = records.filter((r) => r.msg.startsWith('CUDA execution provider unavailable'));
    expect(warnings).toHaveLength(done.provider === 'cuda' ? 0 : 1);
    expect(records.filter((r) => r.msg === 'model loaded')).toHaveLength(1);
    expect(records).toHaveLength(2 + warnings.length);
  });
});
