// The only module stages import from the runtime.
export * from './stage/define-stage.ts';
export * from './errors.ts';
export * from '../schemas/topics.ts';
export type * from '../schemas/types.ts';
export { timeframes, timeframeMs, type Timeframe } from '../schemas/timeframes.ts';
export type { Env } from './config/env.ts';
export { readBoolean, readDuration, readEnum, readInt, readList, readNumber, readOptionalString, readString, parseDuration } from './config/env.ts';
export type { Logger } from './log.ts';
export type { Resources } from './runtime/resources.ts';
export type { Unit } from './runtime/worker.ts';
export * from './market-files/formats.ts';
export { readLines, type NumberedLine } from './market-files/line-reader.ts';
export { symbolFromFileName, unifySymbol } from './market-files/symbols.ts';
export { sharedDatabase } from './db/shared-database.ts';
export type { Database } from './db/database.ts';
export { PostgresResultStore } from './db/result-store.ts';
