import type { StageEntry } from '../pipeline/index.ts';
import { errorMonitorEntry } from './error-monitor/entry.ts';
import { indicatorsEntry } from './indicators/entry.ts';
import { newsSourceEntry } from './news-source/entry.ts';
import { postgresSinkEntry } from './postgres-sink/entry.ts';
import { predictorEntry } from './predictor/entry.ts';
import { sentimentEntry } from './sentiment/entry.ts';
import { sentimentIndexEntry } from './sentiment-index/entry.ts';
import { tradeSourceEntry } from './trade-source/entry.ts';
import { tradeToOhlcEntry } from './trade-to-ohlc/entry.ts';

// Every worker of the pipeline, in pipeline order: `candleflow dev` runs them all, `candleflow run <name>` one.
// Adding a stage is one folder with an entry.ts and one line here; the boot checks the wiring against the topic
// catalogue (schemas/topics.ts) before anything starts.
export const stageEntries: readonly StageEntry<any>[] = [
  tradeSourceEntry,
  newsSourceEntry,
  sentimentEntry,
  sentimentIndexEntry,
  tradeToOhlcEntry,
  indicatorsEntry,
  predictorEntry,
  errorMonitorEntry,
  postgresSinkEntry,
];

export function findStageEntry(name: string): StageEntry<any> | undefined {
  return stageEntries.find((e) => e.name === name);
}
