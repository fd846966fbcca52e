import { describe, expect, it } from 'vitest';
import { waitFor } from '../pipeline/testing/wait-for.ts';
import { runCandleflow, spawnCandleflow, waitForLine } from './support/cli-process.ts';

describe('candleflow dev as a process', () => {
  it('answers /health/ready with 200, serves /metrics, and exits 0 on SIGTERM', async () => {
    const child = spawnCandleflow(['dev'], { PORT: '0', DATA_DIR: 'memory://' });
    try {
      const line = await waitForLine(child, /candleflow dev ready on/);
      const { url } = JSON.parse(line) as { url: string };
      // Ready once every stage is subscribed and the sample source is reading: within a few seconds.
      const ready = await waitFor(async () => {
        const res = await fetch(`${url}/health/ready`);
        return res.status === 200 ? res : undefined;
      }, '/health/ready to answer 200', 10_000, 100);
      expect(((await ready.json()) as { status: string }).status).toBe('ready');
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP cf_/m);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits 2 with one line naming the variable when configuration is bad', async () => {
    const { code, stderr, stdout } = await runCandleflow(['dev'], { METRICS_PORT: '70000' });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('candleflow dev: CF_ERR_CONFIG: METRICS_PORT must be an integer between 0 and 65535 (got "70000")');
    expect(stdout).toBe('');
  });
});
