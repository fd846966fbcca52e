import type { RecordName } from './records.ts';
import type { Records } from './types.ts';

// The topic catalogue: the single source of truth for topic names, keys, partitioning, retention and
// schemas. Strimzi KafkaTopic CRDs, the README table and the runtime's wiring are all derived from it.

/** Every worker of the pipeline by its kebab-case name (`candleflow run <name>`). */
export const stageNames = [
  'trade-source',
  'news-source',
  'sentiment',
  'sentiment-index',
  'trade-to-ohlc',
  'indicators',
  'predictor',
  'error-monitor',
  'postgres-sink',
] as const;
export type StageName = (typeof stageNames)[number];

export const CleanupPolicy = { DELETE: 'delete', COMPACT: 'compact', COMPACT_DELETE: 'compact,delete' } as const;
export type CleanupPolicy = (typeof CleanupPolicy)[keyof typeof CleanupPolicy];

export interface TopicSpec<R extends RecordName = RecordName> {
  name: string;
  description: string;
  /** Avro record of the value. */
  schema: R;
  /** Record fields joined with '|' form the message key: the identity of a record (compaction, upserts). */
  key: readonly string[];
  /**
   * Fields whose '|'-joined values choose the partition (murmur2, as kafkajs's default partitioner).
   * A prefix of the key where records of one series must stay in order on one partition.
   */
  partitionKey: readonly string[];
  partitions: number;
  replicas: number;
  /** -1 keeps records forever (compacted topics). */
  retentionMs: number;
  cleanupPolicy: CleanupPolicy;
  producers: readonly StageName[];
  consumers: readonly StageName[];
  /** Users may produce it with their own clients (trades, news): it needs no producer among the stages. */
  external?: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Fields<R extends RecordName> = readonly (keyof Records[R] & string)[];

/** Checks at compile time that key fields exist on the record. */
function topic<R extends RecordName>(spec: TopicSpec<R> & { key: Fields<R>; partitionKey: Fields<R> }): TopicSpec<R> {
  return spec;
}

export const topics = {
  trades: topic({
    name: 'trades',
    schema: 'Trade',
    description: 'Executed trades from exchanges and file replays.',
    key: ['symbol'],
    partitionKey: ['symbol'],
    partitions: 6,
    replicas: 3,
    retentionMs: 7 * DAY,
    cleanupPolicy: 'delete',
    producers: ['trade-source'],
    consumers: ['trade-to-ohlc'],
    external: true,
  }),
  candles: topic({
    name: 'candles',
    schema: 'Candle',
    description: 'Closed OHLCV candles per symbol and timeframe.',
    key: ['symbol', 'timeframe', 'start'],
    partitionKey: ['symbol', 'timeframe'],
    partitions: 6,
    replicas: 3,
    retentionMs: 90 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: ['trade-to-ohlc'],
    consumers: ['indicators', 'error-monitor', 'postgres-sink'],
  }),
  candlesPartial: topic({
    name: 'candles.partial',
    schema: 'Candle',
    description: 'The open window so far, emitted at an interval.',
    key: ['symbol', 'timeframe', 'start'],
    partitionKey: ['symbol', 'timeframe'],
    partitions: 6,
    replicas: 3,
    retentionMs: 1 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: ['trade-to-ohlc'],
    consumers: [],
  }),
  features: topic({
    name: 'features',
    schema: 'FeatureVector',
    description: 'Technical indicators per closed candle.',
    key: ['symbol', 'timeframe', 'start'],
    partitionKey: ['symbol', 'timeframe'],
    partitions: 6,
    replicas: 3,
    retentionMs: 90 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: ['indicators'],
    consumers: ['predictor', 'postgres-sink'],
  }),
  news: topic({
    name: 'news',
    schema: 'NewsItem',
    description: 'News headlines and articles.',
    key: ['id'],
    partitionKey: ['id'],
    partitions: 3,
    replicas: 3,
    retentionMs: 30 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: ['news-source'],
    consumers: ['sentiment'],
    external: true,
  }),
  // Sentiment joins predictions per symbol in the signal stage. Predictions are partitioned by symbol|timeframe
  // (the error monitor joins them with candles that way), so no partitioning by symbol alone can put one symbol's
  // sentiment on the partition of each of its predictions. The join is planned as a table join instead: the
  // signal stage reads `sentiment-index` (one small compacted record per symbol) from every partition into a
  // per-symbol table and looks each prediction's symbol up in it, like a Kafka Streams GlobalKTable; partitioning
  // sentiment by symbol (6 partitions, as predictions) keeps each symbol's records in event order for the index.
  sentiment: topic({
    name: 'sentiment',
    schema: 'Sentiment',
    description: 'Sentiment of news items, one record per symbol an item mentions plus a market-wide one (*).',
    key: ['symbol', 'newsId'],
    partitionKey: ['symbol'],
    partitions: 6,
    replicas: 3,
    retentionMs: 30 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: ['sentiment'],
    consumers: ['sentiment-index'],
  }),
  sentimentIndex: topic({
    name: 'sentiment-index',
    schema: 'SentimentIndex',
    description: 'Exponentially weighted sentiment per symbol by event time, updated by each item.',
    key: ['symbol'],
    partitionKey: ['symbol'],
    partitions: 6,
    replicas: 3,
    retentionMs: 30 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: ['sentiment-index'],
    consumers: [],
  }),
  predictions: topic({
    name: 'predictions',
    schema: 'Prediction',
    description: 'Model forecasts of log returns.',
    key: ['symbol', 'timeframe', 'featureTime', 'modelName'],
    partitionKey: ['symbol', 'timeframe'],
    partitions: 6,
    replicas: 3,
    retentionMs: 90 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: ['predictor'],
    consumers: ['error-monitor', 'postgres-sink'],
  }),
  predictionErrors: topic({
    name: 'prediction-errors',
    schema: 'PredictionError',
    description: 'Predictions checked against realised candles.',
    key: ['symbol', 'timeframe', 'targetTime', 'modelName'],
    partitionKey: ['symbol', 'timeframe'],
    partitions: 6,
    replicas: 3,
    retentionMs: 90 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: ['error-monitor'],
    consumers: ['postgres-sink'],
  }),
  signals: topic({
    name: 'signals',
    schema: 'Signal',
    description: 'Risk-checked, sized trading signals.',
    key: ['symbol', 'timeframe', 'timestamp'],
    partitionKey: ['symbol'],
    partitions: 6,
    replicas: 3,
    retentionMs: 90 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: [],
    consumers: [],
  }),
  chartPatterns: topic({
    name: 'chart-patterns',
    schema: 'ChartPattern',
    description: 'Support and resistance lines found in charts.',
    key: ['symbol', 'timeframe', 'windowEnd', 'kind'],
    partitionKey: ['symbol', 'timeframe'],
    partitions: 6,
    replicas: 3,
    retentionMs: 30 * DAY,
    cleanupPolicy: 'compact,delete',
    producers: [],
    consumers: [],
  }),
} as const;

export type TopicKey = keyof typeof topics;
export const catalogue: readonly TopicSpec[] = Object.values(topics);

/** Dead-letter topics keep the original bytes and the reason in headers; one per catalogue topic. */
export const DEAD_LETTER_SUFFIX = '.dlq';
export const deadLetterSettings = {
  partitions: 1,
  replicas: 3,
  retentionMs: 14 * DAY,
  cleanupPolicy: 'delete',
} as const;
export function deadLetterTopic(topicName: string): string {
  return `${topicName}${DEAD_LETTER_SUFFIX}`;
}

export function topicByName(name: string): TopicSpec | undefined {
  return catalogue.find((t) => t.name === name);
}

/** Values of `fields` in `record`, joined with '|': message keys and partition keys. */
export function joinFields(record: Record<string, unknown>, fields: readonly string[]): string {
  return fields.map((f) => String(record[f])).join('|');
}

/**
 * Keyed state of a stage lives in a compacted changelog topic partitioned exactly like the stage's input, so
 * the worker owning input partition p restores its state from changelog partition p. Values are JSON (state
 * plus the next input offset per topic it already covers), not Avro: they are the stage's private format.
 */
export interface ChangelogSpec {
  stage: StageName;
  name: string;
  /** The input topic whose partitioning the changelog mirrors. */
  mirrors: string;
  partitions: number;
  replicas: number;
  cleanupPolicy: 'compact';
  retentionMs: -1;
}

function changelog(stage: StageName, input: TopicSpec): ChangelogSpec {
  return {
    stage,
    name: `${stage}.state`,
    mirrors: input.name,
    partitions: input.partitions,
    replicas: 3,
    cleanupPolicy: 'compact',
    retentionMs: -1,
  };
}

export const changelogs: readonly ChangelogSpec[] = [
  changelog('trade-to-ohlc', topics.trades),
  changelog('indicators', topics.candles),
  changelog('predictor', topics.features),
  changelog('error-monitor', topics.candles),
  changelog('sentiment-index', topics.sentiment),
];

export function changelogOf(stage: string): ChangelogSpec | undefined {
  return changelogs.find((c) => c.stage === stage);
}

/** Every topic the pipeline needs: the catalogue, a dead-letter topic per catalogue topic, and the changelogs. */
export function allTopicSettings(): {
  name: string;
  partitions: number;
  replicas: number;
  retentionMs: number;
  cleanupPolicy: CleanupPolicy;
}[] {
  return [
    ...catalogue.map(({ name, partitions, replicas, retentionMs, cleanupPolicy }) => ({
      name,
      partitions,
      replicas,
      retentionMs,
      cleanupPolicy,
    })),
    ...catalogue.map((t) => ({ name: deadLetterTopic(t.name), ...deadLetterSettings })),
    ...changelogs.map(({ name, partitions, replicas, retentionMs, cleanupPolicy }) => ({
      name,
      partitions,
      replicas,
      retentionMs,
      cleanupPolicy,
    })),
  ];
}
