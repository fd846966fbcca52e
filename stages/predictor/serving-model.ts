import {
  loadForecastModel,
  resolveActivation,
  type ActiveModel,
  type ExecutionProvider,
  type ForecastCard,
  type ModelRegistry,
  type ModelScope,
  type ModelTask,
  type OnnxModel,
  type StageLogger,
} from '../../pipeline/index.ts';

// The models the predictor serves for its task, following the registry's activations. The stage calls refresh() at
// the start of each batch: at most every `reloadIntervalMs` it asks the registry for the task's activations and
// loads any model it does not hold yet; modelFor(series) then picks the most specific activation for a series.
// A batch runs on the models it started with, so a swap never splits or drops records; a model no longer
// activated anywhere is released after the swap.

type Loaded = OnnxModel<ForecastCard>;

export class ServingModel {
  private activations: (ActiveModel & { model: Loaded })[] = [];
  private readonly loaded = new Map<string, Loaded>();
  private readonly failed = new Set<string>();
  /** modelFor per series, computed once per set of activations (it is asked for every feature vector). */
  private readonly resolved = new Map<string, Loaded | null>();
  private checkedAt = -Infinity;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly options: {
      task: ModelTask;
      provider: ExecutionProvider;
      reloadIntervalMs: number;
      log: StageLogger;
      now: () => number;
    },
  ) {}

  /** Polls the registry when the reload interval has passed; keeps serving what it has when it is down. */
  async refresh(): Promise<void> {
    const now = this.options.now();
    if (now - this.checkedAt < this.options.reloadIntervalMs) return;
    this.checkedAt = now;
    const { log, task } = this.options;
    let wanted: ActiveModel[];
    try {
      wanted = await this.registry.activations(task);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'model registry unavailable, serving the current models');
      return;
    }
    if (wanted.length === 0 && this.activations.length > 0) {
      log.warn({ task }, 'no active model in the registry any more, keeping the current ones');
      return;
    }
    const next: (ActiveModel & { model: Loaded })[] = [];
    for (const a of wanted) {
      const model = await this.load(a);
      if (model) next.push({ ...a, model });
      else {
        // Keep serving that scope with what it had, rather than nothing.
        const previous = this.activations.find((p) => sameScope(p.scope, a.scope));
        if (previous) next.push(previous);
      }
    }
    const before = this.activations;
    this.activations = next;
    this.resolved.clear();
    for (const a of next) {
      if (!before.some((b) => b.model === a.model && sameScope(b.scope, a.scope))) {
        log.info({ model: `${a.name}@${a.version}`, task, scope: a.scope }, 'model activated');
      }
    }
    for (const [key, model] of this.loaded) {
      if (!next.some((a) => a.model === model)) {
        this.loaded.delete(key);
        await model.release();
      }
    }
  }

  /** The model serving a series, or null while none is active for it. */
  modelFor(symbol: string, timeframe: string): Loaded | null {
    const key = `${symbol}|${timeframe}`;
    let model = this.resolved.get(key);
    if (model === undefined) {
      model = resolveActivation(this.activations, { symbol, timeframe })?.model ?? null;
      this.resolved.set(key, model);
    }
    return model;
  }

  /** Every model in service (the predictor keeps enough history for the longest window). */
  models(): Loaded[] {
    return [...new Set(this.activations.map((a) => a.model))];
  }

  /** Forces the next refresh() to ask the registry (tests, `models activate` in-process). */
  invalidate(): void {
    this.checkedAt = -Infinity;
  }

  async close(): Promise<void> {
    for (const model of this.loaded.values()) await model.release();
    this.loaded.clear();
    this.activations = [];
    this.resolved.clear();
  }

  private async load(a: ActiveModel): Promise<Loaded | null> {
    const key = `${a.name}@${a.version}#${a.sha256}`;
    const held = this.loaded.get(key);
    if (held) return held;
    if (this.failed.has(key)) return null;
    try {
      const model = await loadForecastModel(a.dir, { provider: this.options.provider, log: this.options.log });
      this.loaded.set(key, model);
      return model;
    } catch (err) {
      this.failed.add(key);
      this.options.log.error(
        { err: (err as Error).message, model: `${a.name}@${a.version}` },
        'cannot load the active model, serving the current one',
      );
      return null;
    }
  }
}

const sameScope = (a: ModelScope, b: ModelScope) => a.symbol === b.symbol && a.timeframe === b.timeframe;
