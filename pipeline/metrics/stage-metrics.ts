import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// One Registry per process, handed down (never prom-client's global one), so two workers in one process
// (candleflow dev, tests) do not clash. The runtime defines the standard metrics; stages define none.

export function createRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'cf_' });
  return registry;
}

/** cf_bus_retained_records: what the embedded bus holds, read at each scrape (flat over a long `npm start`). */
export function retainedRecordsGauge(registry: Registry, count: () => number): void {
  if (registry.getSingleMetric('cf_bus_retained_records')) return;
  new Gauge({
    name: 'cf_bus_retained_records',
    help: 'Records the embedded bus holds in memory, over all topics and partitions',
    registers: [registry],
    collect() {
      this.set(count());
    },
  });
}

export class StageMetrics {
  readonly recordsIn: Counter<'stage' | 'topic'>;
  readonly recordsOut: Counter<'stage' | 'topic'>;
  readonly recordsFailed: Counter<'stage' | 'topic' | 'code'>;
  readonly deadLetters: Counter<'stage' | 'topic' | 'code'>;
  readonly retries: Counter<'stage' | 'code'>;
  readonly handleSeconds: Histogram<'stage'>;
  readonly batchSeconds: Histogram<'stage'>;
  readonly lag: Gauge<'stage' | 'topic' | 'partition'>;
  readonly ready: Gauge<'stage'>;
  readonly stateWrites: Counter<'stage'>;
  readonly inputLost: Counter<'stage' | 'topic' | 'partition'>;

  constructor(readonly registry: Registry) {
    const existing = <T>(name: string): T | undefined => registry.getSingleMetric(name) as T | undefined;
    const registers = [registry];
    this.recordsIn =
      existing('cf_records_in_total') ??
      new Counter({
        name: 'cf_records_in_total',
        help: 'Records read from a topic by a stage',
        labelNames: ['stage', 'topic'],
        registers,
      });
    this.recordsOut =
      existing('cf_records_out_total') ??
      new Counter({
        name: 'cf_records_out_total',
        help: 'Records a stage produced to a topic (acknowledged)',
        labelNames: ['stage', 'topic'],
        registers,
      });
    this.recordsFailed =
      existing('cf_records_failed_total') ??
      new Counter({
        name: 'cf_records_failed_total',
        help: 'Records a stage could not process, by error code',
        labelNames: ['stage', 'topic', 'code'],
        registers,
      });
    this.deadLetters =
      existing('cf_dead_letters_total') ??
      new Counter({
        name: 'cf_dead_letters_total',
        help: 'Records sent to the dead-letter topic of their topic',
        labelNames: ['stage', 'topic', 'code'],
        registers,
      });
    this.retries =
      existing('cf_retries_total') ??
      new Counter({
        name: 'cf_retries_total',
        help: 'Handler or write attempts retried after an error',
        labelNames: ['stage', 'code'],
        registers,
      });
    this.handleSeconds =
      existing('cf_handle_duration_seconds') ??
      new Histogram({
        name: 'cf_handle_duration_seconds',
        help: 'Time to handle one record (decode to outputs)',
        labelNames: ['stage'],
        registers,
        buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      });
    this.batchSeconds =
      existing('cf_batch_duration_seconds') ??
      new Histogram({
        name: 'cf_batch_duration_seconds',
        help: 'Time from receiving a batch to committing it',
        labelNames: ['stage'],
        registers,
        buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      });
    this.lag =
      existing('cf_consumer_lag') ??
      new Gauge({
        name: 'cf_consumer_lag',
        help: 'Records behind the end of a partition after the last batch',
        labelNames: ['stage', 'topic', 'partition'],
        registers,
      });
    this.ready =
      existing('cf_stage_ready') ??
      new Gauge({
        name: 'cf_stage_ready',
        help: '1 when the stage is ready to serve',
        labelNames: ['stage'],
        registers,
      });
    this.stateWrites =
      existing('cf_state_writes_total') ??
      new Counter({
        name: 'cf_state_writes_total',
        help: 'Keyed states a stage wrote to its changelog topic (acknowledged)',
        labelNames: ['stage'],
        registers,
      });
    this.inputLost =
      existing('cf_input_lost_records_total') ??
      new Counter({
        name: 'cf_input_lost_records_total',
        help: 'Records deleted by the broker (retention, deleteRecords) before the stage read them',
        labelNames: ['stage', 'topic', 'partition'],
        registers,
      });
  }
}
