// The only module stages import from the runtime.
export * from './stage/define-stage.ts';
export * from './errors.ts';
export * from '../schemas/topics.ts';
export type * from '../schemas/types.ts';
export { timeframes, timeframeMs, type Timeframe } from '../schemas/timeframes.ts';
