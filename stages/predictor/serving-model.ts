import {
  loadOnnxModel,
  type ExecutionProvider,
  type ModelRegistry,
  type OnnxModel,
  type StageLogger,
} from '../../pipeline/index.ts';

// The model the predictor serves, following the registry's active model. The stage calls current() at the
// start of each batch: at most every `reloadIntervalMs` it asks the registry which model is active and, when
// that changed, loads the new one and swaps it in; the old session is released after the swap. A batch runs
// on one model from start to end, so a swap never splits or drops records.

export class ServingModel {
  private model: OnnxModel | null = null;
  private checkedAt = -Infinity;
  private failedSha: string | null = null;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly options: {
      provider: ExecutionProvider;
      reloadIntervalMs: number;
      log: StageLogger;
      now: () => number;
    },
  ) {}

  /** The model to use for the next batch (null while none is active). */
  async current(): Promise<OnnxModel | null> {
    const now = this.options.now();
    if (now - this.checkedAt < this.options.reloadIntervalMs) return this.model;
    this.checkedAt = now;
    const { log } = this.options;
    let active;
    try {
      active = await this.registry.active();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'model registry unavailable, serving the current model');
      return this.model;
    }
    if (!active) {
      if (this.model)
        log.warn(
          { model: `${this.model.card.name}@${this.model.card.version}` },
          'no active model in the registry any more, keeping the current one',
        );
      return this.model;
    }
    if (
      this.model &&
      active.sha256 === this.model.sha256 &&
      active.name === this.model.card.name &&
      active.version === this.model.card.version
    )
      return this.model;
    if (active.sha256 === this.failedSha) return this.model;
    try {
      const next = await loadOnnxModel(active.dir, { provider: this.options.provider, log });
      const previous = this.model;
      this.model = next;
      this.failedSha = null;
      log.info(
        {
          model: `${active.name}@${active.version}`,
          previous: previous ? `${previous.card.name}@${previous.card.version}` : null,
        },
        'model activated',
      );
      await previous?.release();
    } catch (err) {
      this.failedSha = active.sha256;
      log.error(
        { err: (err as Error).message, model: `${active.name}@${active.version}` },
        'cannot load the active model, serving the current one',
      );
    }
    return this.model;
  }

  /** Forces the next current() to ask the registry (tests, `models activate` in-process). */
  invalidate(): void {
    this.checkedAt = -Infinity;
  }

  async close(): Promise<void> {
    await this.model?.release();
    this.model = null;
  }
}
