import { readFileSync } from 'node:fs';
import avro from 'avsc';

/** Every record type of the pipeline, by Avro name, with the `.avsc` file that defines it. */
export const recordFiles = {
  Trade: 'trade.avsc',
  Candle: 'candle.avsc',
  FeatureVector: 'feature-vector.avsc',
  NewsItem: 'news-item.avsc',
  Sentiment: 'sentiment.avsc',
  SentimentIndex: 'sentiment-index.avsc',
  Prediction: 'prediction.avsc',
  PredictionError: 'prediction-error.avsc',
  Signal: 'signal.avsc',
  ChartPattern: 'chart-pattern.avsc',
} as const;

export type RecordName = keyof typeof recordFiles;
export const recordNames: readonly RecordName[] = Object.freeze(Object.keys(recordFiles) as RecordName[]);

export interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
  default?: unknown;
}
export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: AvroField[];
}

/** The parsed `.avsc` JSON of every record, read once. */
export const avroSchemas: Readonly<Record<RecordName, AvroRecordSchema>> = Object.freeze(
  Object.fromEntries(
    recordNames.map((name) => [
      name,
      JSON.parse(readFileSync(new URL(`./avro/${recordFiles[name]}`, import.meta.url), 'utf8')) as AvroRecordSchema,
    ]),
  ) as Record<RecordName, AvroRecordSchema>,
);

// Logical types are kept as plain longs (epoch ms numbers) on purpose: records stay JSON-friendly and the
// same value travels through Avro, Postgres and the API unchanged.
const avroTypes = new Map<RecordName, avro.Type>();

/** The avsc Type of a record, compiled once. */
export function avroType(name: RecordName): avro.Type {
  let type = avroTypes.get(name);
  if (!type) {
    // avsc annotates the schema objects it is given; a clone keeps the parsed .avsc pristine for generators.
    type = avro.Type.forSchema(structuredClone(avroSchemas[name]) as avro.Schema);
    avroTypes.set(name, type);
  }
  return type;
}
