import type { ModelTask } from './card-types.ts';
import {
  defaultScope,
  refuseOtherSha,
  refuseUnknown,
  resolveActivation,
  validateModelDir,
  type ActiveModel,
  type ModelRegistry,
  type ModelScope,
  type RegisteredModel,
} from './model-registry.ts';

type Stored = Omit<RegisteredModel, 'active' | 'activeFor'>;

const sameScope = (a: ModelScope, b: ModelScope) => a.symbol === b.symbol && a.timeframe === b.timeframe;

/** A registry held in memory: tests and benchmarks. */
export class InMemoryModelRegistry implements ModelRegistry {
  private readonly models: Stored[] = [];
  private readonly active_: { task: ModelTask; scope: ModelScope; model: Stored }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  async register(dir: string): Promise<RegisteredModel> {
    const checked = await validateModelDir(dir);
    const { name, version, task, kind } = checked.card;
    const existing = this.models.find((m) => m.name === name && m.version === version);
    if (existing) {
      if (existing.sha256 === checked.sha256) return this.view(existing);
      refuseOtherSha(checked.dir, existing, checked.sha256);
    }
    const model: Stored = {
      name,
      version,
      task,
      kind,
      sha256: checked.sha256,
      dir: checked.dir,
      registeredAt: this.now(),
      card: checked.card,
    };
    this.models.push(model);
    return this.view(model);
  }

  async list(task?: ModelTask): Promise<RegisteredModel[]> {
    return this.models
      .filter((m) => task === undefined || m.task === task)
      .map((m) => this.view(m))
      .sort((a, b) => a.name.localeCompare(b.name) || a.registeredAt - b.registeredAt);
  }

  async activate(name: string, version: string, scopeIn?: ModelScope): Promise<ActiveModel> {
    const model = this.models.find((m) => m.name === name && m.version === version);
    if (!model) refuseUnknown(name, version, this.models);
    const scope = defaultScope(model.card, scopeIn);
    const at = this.active_.findIndex((a) => a.task === model.task && sameScope(a.scope, scope));
    if (at >= 0) this.active_.splice(at, 1);
    this.active_.push({ task: model.task, scope, model });
    return activeOf(model, scope);
  }

  async activations(task: ModelTask): Promise<ActiveModel[]> {
    return this.active_.filter((a) => a.task === task).map((a) => activeOf(a.model, a.scope));
  }

  async active(task: ModelTask, series?: ModelScope): Promise<ActiveModel | null> {
    return resolveActivation(await this.activations(task), series);
  }

  private view(m: Stored): RegisteredModel {
    const activeFor = this.active_.filter((a) => a.model === m).map((a) => ({ ...a.scope }));
    return { ...m, active: activeFor.length > 0, activeFor };
  }
}

function activeOf(m: Stored, scope: ModelScope): ActiveModel {
  return {
    name: m.name,
    version: m.version,
    task: m.task,
    sha256: m.sha256,
    dir: m.dir,
    card: m.card,
    scope: { ...scope },
  };
}
