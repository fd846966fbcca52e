import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../pipeline/testing/wait-for.ts';
import { runCandleflow, spawnCandleflow, waitForLine } from './support/cli-process.ts';

describe('candleflow dev as a process', () => {
  it('answers /health/ready with 200, serves real candles and predictions, and exits 0 on SIGTERM', async () => {
    // The bundled sample at 600x real time: the same default path as `npm start`, ten candles a second.
    const child = spawnCandleflow(['dev'], { PORT: '0', DATA_DIR: 'memory://', REPLAY_SPEED: '600x' });
    try {
      const line = await waitForLine(child, /candleflow dev ready on/);
      const { url } = JSON.parse(line) as { url: string };
      // Ready once every stage is subscribed and the sample source is reading: within a few seconds.
      const ready = await waitFor(
        async () => {
          const res = await fetch(`${url}/health/ready`);
          return res.status === 200 ? res : undefined;
        },
        '/health/ready to answer 200',
        10_000,
        100,
      );
      expect(((await ready.json()) as { status: string }).status).toBe('ready');
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP cf_/m);
      // Real candles from the bundled Kraken trades, then predictions from the bundled model, over the API.
      const candles = await waitFor(
        async () => {
          const res = await fetch(`${url}/v1/candles?symbol=BTC/USD&timeframe=1m&limit=5`);
          const body =
            res.status === 200 ? ((await res.json()) as { data: { open: number; start: number }[] }) : undefined;
          return body && body.data.length > 0 ? body.data : undefined;
        },
        'candles at /v1/candles',
        60_000,
        250,
      );
      expect(candles[0]!.start % 60_000).toBe(0);
      const latest = await waitFor(
        async () => {
          const res = await fetch(`${url}/v1/predictions/latest?symbol=BTC/USD`);
          return res.status === 200
            ? ((await res.json()) as { data: { modelName: string; horizon: number }[] }).data
            : undefined;
        },
        'a prediction at /v1/predictions/latest',
        90_000,
        250,
      );
      expect(latest[0]).toMatchObject({ modelName: 'ridge-h5', horizon: 5 });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 180_000);

  it('exits 2 with one line naming the variable when configuration is bad', async () => {
    const { code, stderr, stdout } = await runCandleflow(['dev'], { METRICS_PORT: '70000' });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('candleflow dev: METRICS_PORT must be an integer between 0 and 65535 (got "70000")');
    expect(stdout).toBe('');
  });

  it('stops with one line and exit code 1 when its port is taken, leaving nothing running', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = String((taken.address() as net.AddressInfo).port);
    try {
      const { code, stderr } = await runCandleflow(['dev'], { PORT: port, DATA_DIR: 'memory://' });
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(
        new RegExp(`^candleflow dev: listen EADDRINUSE: address already in use 0\\.0\\.0\\.0:${port}$`),
      );
    } finally {
      taken.close();
    }
  }, 60_000);
});
