import { resolve } from 'node:path';
import { CandleflowError, InputError } from '../errors.ts';
import { isForecastCard, type ModelCard, type ModelTask } from './card-types.ts';
import { readModelCard } from './model-card.ts';
import { loadOnnxModel } from './onnx-model.ts';

// The model registry: which model folders are known and which model serves each task. Two implementations:
// InMemoryModelRegistry (tests, benchmarks) and the PostgreSQL one (tables `models` and `model_activations`, behind
// `candleflow models`).
//
// Contract every implementation keeps:
// - register(dir) validates the folder completely before storing anything (card, sha256 of model.onnx, ONNX
//   input/output names and shapes by a dry run; see validateModelDir) and refuses with an InputError whose
//   message is one sentence. Registering the same name@version with the same sha256 again is a no-op; with
//   another sha256 it is refused (a version names one file forever).
// - activate(name, version, scope) makes that model the one serving its task within the scope, replacing the
//   model active there before; scopes are (symbol or any) x (timeframe or any). A forecast model is activated
//   for its card's timeframe unless told otherwise, since it only knows that timeframe.
// - active(task, series) is what a stage polls (every MODEL_RELOAD_INTERVAL) for hot reload: the most specific
//   activation wins (symbol and timeframe, then timeframe, then symbol, then the task-wide one).

/** Where an activation applies; an absent field means any. */
export interface ModelScope {
  symbol?: string;
  timeframe?: string;
}

export interface RegisteredModel {
  name: string;
  version: string;
  task: ModelTask;
  kind: string;
  sha256: string;
  /** Absolute folder holding model.json and model.onnx. */
  dir: string;
  registeredAt: number;
  /** Whether the model serves its task anywhere. */
  active: boolean;
  /** The scopes it serves. */
  activeFor: ModelScope[];
  card: ModelCard;
}

export interface ActiveModel {
  name: string;
  version: string;
  task: ModelTask;
  sha256: string;
  dir: string;
  card: ModelCard;
  scope: ModelScope;
}

export interface ModelRegistry {
  register(dir: string): Promise<RegisteredModel>;
  /** Registered models (of one task), by name then registration time. */
  list(task?: ModelTask): Promise<RegisteredModel[]>;
  activate(name: string, version: string, scope?: ModelScope): Promise<ActiveModel>;
  /** Every activation of a task (a stage serving several series resolves each with resolveActivation). */
  activations(task: ModelTask): Promise<ActiveModel[]>;
  /** The model serving a task for a series (or task-wide), or null. */
  active(task: ModelTask, series?: ModelScope): Promise<ActiveModel | null>;
}

/** Parses `name@version` (the CLI's model reference). */
export function parseModelRef(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf('@');
  if (at <= 0 || at === ref.length - 1)
    throw new InputError(`model reference "${ref}" must be name@version, e.g. gru-h5@1.0.0`);
  return { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

/** The scope an activation gets when none is given: a forecast model's own timeframe, else task-wide. */
export function defaultScope(card: ModelCard, scope?: ModelScope): ModelScope {
  if (scope && (scope.symbol !== undefined || scope.timeframe !== undefined)) return scope;
  return isForecastCard(card) ? { timeframe: card.timeframe } : {};
}

/** The most specific activation covering a series: symbol+timeframe, timeframe, symbol, task-wide. */
export function resolveActivation<T extends { scope: ModelScope }>(
  activations: readonly T[],
  series: ModelScope = {},
): T | null {
  let best: T | null = null;
  let bestRank = -1;
  for (const a of activations) {
    const { symbol, timeframe } = a.scope;
    if (symbol !== undefined && symbol !== series.symbol) continue;
    if (timeframe !== undefined && timeframe !== series.timeframe) continue;
    const rank = (timeframe !== undefined ? 2 : 0) + (symbol !== undefined ? 1 : 0);
    if (rank > bestRank) [best, bestRank] = [a, rank];
  }
  return best;
}

export function describeScope(scope: ModelScope): string {
  return `${scope.symbol ?? 'any symbol'}, ${scope.timeframe ?? 'any timeframe'}`;
}

/**
 * Validates a model folder as register() must: loads it with onnxruntime (card, sha256, IO names, dry-run shapes)
 * and releases the session. Throws an InputError `cannot register <dir>: <reason>`.
 */
export async function validateModelDir(dirIn: string): Promise<{ dir: string; card: ModelCard; sha256: string }> {
  const dir = resolve(dirIn);
  try {
    const model = await loadOnnxModel(dir);
    await model.release();
    return { dir, card: model.card, sha256: model.sha256 };
  } catch (err) {
    if (err instanceof CandleflowError) throw new InputError(`cannot register ${dir}: ${err.message}`);
    throw err;
  }
}

export function refuseOtherSha(
  dir: string,
  existing: { name: string; version: string; sha256: string },
  sha256: string,
): never {
  throw new InputError(
    `cannot register ${dir}: ${existing.name}@${existing.version} is already registered with sha256 ${existing.sha256} (this model.onnx has ${sha256}); give it a new version`,
  );
}

export function refuseUnknown(
  name: string,
  version: string,
  known: readonly { name: string; version: string }[],
): never {
  const list = known.map((m) => `${m.name}@${m.version}`).join(', ') || 'none';
  throw new InputError(`cannot activate ${name}@${version}: it is not registered (registered: ${list})`);
}

/**
 * Registers every bundled model and, for each task that has no activation yet, activates the named default
 * (first start). Returns the activations made.
 */
export async function ensureActiveModels(
  registry: ModelRegistry,
  bundledDirs: readonly string[],
  defaults: readonly string[],
): Promise<ActiveModel[]> {
  const known = await registry.list();
  const registered: RegisteredModel[] = [];
  for (const dir of bundledDirs) {
    // Reading the card is enough to recognise a model registered before; loading it (a dry run) is not free.
    const card = readModelCard(resolve(dir));
    const same = known.find((m) => m.name === card.name && m.version === card.version && m.sha256 === card.onnx.sha256);
    registered.push(same ?? (await registry.register(dir)));
  }
  const made: ActiveModel[] = [];
  for (const name of defaults) {
    const model = registered.find((m) => m.name === name);
    if (!model)
      throw new InputError(`the bundled models have no ${name} (bundled: ${registered.map((m) => m.name).join(', ')})`);
    if ((await registry.activations(model.task)).length > 0) continue;
    made.push(await registry.activate(model.name, model.version));
  }
  return made;
}
