import { resolve } from 'node:path';
import { CandleflowError, InputError } from '../errors.ts';
import type { ModelCard } from './model-card.ts';
import { loadOnnxModel } from './onnx-model.ts';

// The model registry: which model folders are known and which one the predictor serves. Two implementations:
// InMemoryModelRegistry (tests, benchmarks) and the PostgreSQL one (table `models`, behind `candleflow models`).
//
// Contract every implementation keeps:
// - register(dir) validates the folder completely before storing anything (card, sha256 of model.onnx, ONNX
//   input/output names and shapes by a dry run; see validateModelDir) and refuses with an InputError whose
//   message is one sentence. Registering the same name@version with the same sha256 again is a no-op; with
//   another sha256 it is refused (a version names one file forever).
// - activate(name, version) makes that model the one active model (one at a time) and refuses unknown ones.
// - active() is what the predictor polls (every MODEL_RELOAD_INTERVAL) for hot reload: it compares the returned
//   sha256/name/version with the model it serves and swaps sessions between batches when they differ.

export interface RegisteredModel {
  name: string;
  version: string;
  kind: ModelCard['kind'];
  sha256: string;
  /** Absolute folder holding model.json and model.onnx. */
  dir: string;
  registeredAt: number;
  active: boolean;
  card: ModelCard;
}

export type ActiveModel = Pick<RegisteredModel, 'name' | 'version' | 'sha256' | 'dir' | 'card'>;

export interface ModelRegistry {
  register(dir: string): Promise<RegisteredModel>;
  /** Every registered model, by name then registration time. */
  list(): Promise<RegisteredModel[]>;
  activate(name: string, version: string): Promise<ActiveModel>;
  active(): Promise<ActiveModel | null>;
}

/** Parses `name@version` (the CLI's model reference). */
export function parseModelRef(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf('@');
  if (at <= 0 || at === ref.length - 1)
    throw new InputError(`model reference "${ref}" must be name@version, e.g. gru-h5@1.0.0`);
  return { name: ref.slice(0, at), version: ref.slice(at + 1) };
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

/** A registry held in memory: tests and benchmarks. */
export class InMemoryModelRegistry implements ModelRegistry {
  private readonly models: RegisteredModel[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  async register(dir: string): Promise<RegisteredModel> {
    const checked = await validateModelDir(dir);
    const { name, version } = checked.card;
    const existing = this.models.find((m) => m.name === name && m.version === version);
    if (existing) {
      if (existing.sha256 === checked.sha256) return { ...existing };
      throw new InputError(
        `cannot register ${checked.dir}: ${name}@${version} is already registered with sha256 ${existing.sha256} (this model.onnx has ${checked.sha256}); give it a new version`,
      );
    }
    const model: RegisteredModel = {
      name,
      version,
      kind: checked.card.kind,
      sha256: checked.sha256,
      dir: checked.dir,
      registeredAt: this.now(),
      active: false,
      card: checked.card,
    };
    this.models.push(model);
    return { ...model };
  }

  async list(): Promise<RegisteredModel[]> {
    return this.models
      .map((m) => ({ ...m }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.registeredAt - b.registeredAt);
  }

  async activate(name: string, version: string): Promise<ActiveModel> {
    const model = this.models.find((m) => m.name === name && m.version === version);
    if (!model) {
      const known = this.models.map((m) => `${m.name}@${m.version}`).join(', ') || 'none';
      throw new InputError(`cannot activate ${name}@${version}: it is not registered (registered: ${known})`);
    }
    for (const m of this.models) m.active = m === model;
    return activeOf(model);
  }

  async active(): Promise<ActiveModel | null> {
    const model = this.models.find((m) => m.active);
    return model ? activeOf(model) : null;
  }
}

function activeOf(m: RegisteredModel): ActiveModel {
  return { name: m.name, version: m.version, sha256: m.sha256, dir: m.dir, card: m.card };
}

/** Registers every bundled model and activates `defaultModel` when no model is active yet (first start). */
export async function ensureActiveModel(
  registry: ModelRegistry,
  bundledDirs: readonly string[],
  defaultModel: string,
): Promise<ActiveModel> {
  const active = await registry.active();
  if (active) return active;
  let chosen: RegisteredModel | undefined;
  for (const dir of bundledDirs) {
    const model = await registry.register(dir);
    if (model.name === defaultModel) chosen = model;
  }
  if (!chosen) throw new InputError(`the bundled models have no ${defaultModel}`);
  return registry.activate(chosen.name, chosen.version);
}
