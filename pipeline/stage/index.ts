// The stage runner's public surface (workers, benchmarks, tests); stages themselves see only define-stage.ts,
// through pipeline/index.ts.
export { StageRunner } from './stage-runner.ts';
export { SourceRunner } from './source-runner.ts';
export { encodeOutput, type PendingOutput } from './produce-outputs.ts';
export { DeadLetterHeaders } from './failure-policy.ts';
export type { StageRunOptions, StageRuntime, StageState } from './stage-runtime.ts';
