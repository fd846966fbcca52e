import { defineConfig, executionProviders, settings } from '../../pipeline/index.ts';

export const sentimentConfig = defineConfig({
  /** Model directory (model.json + model.onnx); empty: the bundled models/sentiment-ngram. */
  modelDir: settings.text('SENTIMENT_MODEL', {
    default: '',
    doc: 'directory of the sentiment model (model.json, model.onnx); empty: the bundled `models/sentiment-ngram` (CC BY-NC-SA 3.0, non-commercial)',
  }),
  /** JSON file of symbol -> { names, tickers }; empty: the built-in dictionary (market/news-symbols.ts). */
  symbolsFile: settings.text('SENTIMENT_SYMBOLS', {
    default: '',
    doc: 'JSON file mapping symbols to the names and tickers headlines use (`{"BTC/USD": {"names": ["bitcoin"], "tickers": ["BTC", "XBT"]}}`); empty: the built-in dictionary',
  }),
  batchMax: settings.int('SENTIMENT_BATCH_MAX', {
    default: 256,
    min: 1,
    max: 100_000,
    doc: 'news items per model call',
  }),
  batchWaitMs: settings.int('SENTIMENT_BATCH_WAIT_MS', {
    default: 5,
    min: 0,
    max: 10_000,
    doc: 'how long a batch of news may wait to fill (ms)',
  }),
  maxChars: settings.int('SENTIMENT_MAX_CHARS', {
    default: 10_000,
    min: 1,
    max: 10_000_000,
    doc: 'a news item whose title and body hold more characters goes to `news.dlq` (reason `oversized`)',
  }),
  provider: settings.oneOf('MODEL_EXECUTION_PROVIDER', executionProviders, {
    default: 'cpu',
    doc: 'onnxruntime execution provider: `cpu` or `cuda` (falls back to cpu with one log line)',
  }),
});

export type SentimentConfig = ReturnType<typeof sentimentConfig.compile>;
