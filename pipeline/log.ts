import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout (or `destination`), one line per event; `LOG_LEVEL` picks the level. */
export function createLogger(
  options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  const base = pino(
    { level: options.level ?? 'info', base: { service: 'candleflow' } },
    options.destination ?? process.stdout,
  );
  return options.name ? base.child({ component: options.name }) : base;
}

export const silentLogger: Logger = pino({ level: 'silent' });
