import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { runNodeScript } from './node-config.ts';

// One Kafka node's JVM, started through run-node.sh in a process group of its own. stop() and kill() end it
// on purpose; if this process ends first, in whatever way (even SIGKILL), the kernel closes the pipe on
// run-node.sh's stdin and the script kills the JVM and removes the cluster's data. (A process 'exit' hook
// would add nothing: it cannot run on SIGKILL, and the pipe closes on exit anyway.)

/** Whether a pid is gone or a zombie: a killed JVM's files and ports are released by then, reaped or not. */
function dead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }
}

async function untilDead(pid: number): Promise<void> {
  while (!dead(pid)) await new Promise((r) => setTimeout(r, 20));
}

export interface NodeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class NodeProcess {
  /** The JVM's pid (the wrapper's is the process group id). */
  readonly jvmPid: number;
  readonly exited: Promise<NodeExit>;
  private exitedNow: NodeExit | null = null;

  private constructor(
    private readonly wrapper: ChildProcess,
    jvmPid: number,
    exited: Promise<NodeExit>,
  ) {
    this.jvmPid = jvmPid;
    this.exited = exited.then((e) => {
      this.exitedNow = e;
      return e;
    });
  }

  /**
   * Starts `java args` with its stdout and stderr appended to `consoleLog`; resolves once the JVM is forked.
   * `orphanDir` is removed if this process goes away while the JVM still runs.
   */
  static async start(
    java: string,
    args: readonly string[],
    consoleLog: string,
    orphanDir: string,
  ): Promise<NodeProcess> {
    const wrapper = spawn('sh', [runNodeScript, consoleLog, orphanDir, java, ...args], {
      detached: true,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeExit>((resolve) =>
      wrapper.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const firstLine = new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: wrapper.stdout! });
      lines.once('line', (line) => {
        lines.close();
        resolve(line);
      });
      wrapper.once('error', reject);
      void exited.then((e) => reject(new Error(`run-node.sh exited (${e.signal ?? e.code}) before starting the JVM`)));
    });
    const jvmPid = Number(await firstLine);
    return new NodeProcess(wrapper, jvmPid, exited);
  }

  get running(): boolean {
    return this.exitedNow === null;
  }

  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.wrapper.pid!, signal);
    } catch {
      // ESRCH: the whole group is gone already.
    }
  }

  /** SIGTERM to the JVM (a clean broker shutdown); SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<NodeExit> {
    if (this.running) {
      try {
        process.kill(this.jvmPid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.release();
  }

  /** SIGKILL to the JVM and its wrapper at once: the broker dies as a crashed or OOM-killed pod does. */
  async kill(): Promise<NodeExit> {
    this.signalGroup('SIGKILL');
    return this.release();
  }

  private async release(): Promise<NodeExit> {
    const exit = await this.exited;
    await untilDead(this.jvmPid);
    // The wrapper's stdin watcher is still waiting on the pipe; closing it and the group lets it go.
    this.wrapper.stdin?.end();
    this.signalGroup('SIGKILL');
    return exit;
  }
}
