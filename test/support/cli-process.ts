import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `candleflow <args>` as a real process, the way a user runs it. */
export function spawnCandleflow(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'cli/candleflow.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCandleflow(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  const child = spawnCandleflow(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Resolves with the first stdout line matching `pattern` (JSON logs), or rejects when the process exits first. */
export function waitForLine(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr: ${stderr}`)),
      timeoutMs,
    );
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d;
      for (const line of buffer.split('\n')) {
        if (pattern.test(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}; stderr: ${stderr}`)));
  });
}
