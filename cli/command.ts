export interface CommandIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
}

/** One `candleflow <name>` command. `run` resolves to the exit code; long-running commands never resolve. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** The command prints its own --help (commands whose core lives with a stage). */
  ownHelp?: boolean;
  run(argv: string[], io: CommandIO): Promise<number>;
}

/**
 * What `candleflow --help` shows of a command, and how to load it: the command's module (and the heavy libraries
 * behind it: kafkajs, onnxruntime, PGlite, ...) is imported only when that command runs.
 */
export interface CommandListing {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
