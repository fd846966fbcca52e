import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { runNodeScript } from './node-config.ts';

// One Kafka node's JVM, started through run-node.sh in a process group of its own. Three layers keep JVMs
// from outliving the tests: stop()/kill() here; a process 'exit' hook that SIGKILLs every group still alive;
// and run-node.sh, which kills its JVM when its stdin (a pipe from this process) closes, which the kernel does
// however this process ends.

const live = new Set<NodeProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.signalGroup('SIGKILL');
  });
}

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
      live.delete(this);
      return e;
    });
  }

  /** Starts `java args` with its stdout and stderr appended to `consoleLog`; resolves once the JVM is forked. */
  static async start(java: string, args: readonly string[], consoleLog: string): Promise<NodeProcess> {
    installExitHook();
    const wrapper = spawn('sh', [runNodeScript, consoleLog, java, ...args], {
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
    const node = new NodeProcess(wrapper, jvmPid, exited);
    live.add(node);
    return node;
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
