import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { errorMessage, MARKET_SYMBOL, type NewsItem } from '../../pipeline/index.ts';
import { newsFileFormats, newsOfFile, type NewsFileFormat } from '../../market/files/news-file.ts';
import { loadSymbolDictionary, symbolMatcher } from '../../market/news-symbols.ts';
import { loadSentimentClassifier, type SentimentClassifier } from './classifier.ts';
import { bundledSentimentModel } from './entry.ts';
import { scoreItems, sentimentRecords } from './stage.ts';

// `candleflow sentiment --in headlines.jsonl`: the sentiment stage's code over a file of headlines (the news
// file formats of news-source's replay), one JSON line per headline on stdout, in file order.

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `Usage: candleflow sentiment --in FILE [--format jsonl|csv] [--model DIR] [--symbols FILE] [--batch N]

Scores each headline with the sentiment model and writes one JSON line per headline: id, title, publishedAt,
label, probabilities {negative, neutral, positive}, score (P(positive) - P(negative)), confidence, symbols
(the assets the headline names, and those the file gives) and the model. Rows that are not news items are
reported on stderr with their line and skipped.

Input: JSON lines or CSV with a header (by extension, .gz read through gunzip): title or headline, optional
body, source, url, symbols, publishedAt (ISO-8601 or epoch ms; CSV also date, time, timestamp).

Options:
  --in FILE        the headlines file
  --format F       jsonl or csv (default: from the extension; .csv is csv, anything else jsonl)
  --model DIR      model directory (default: the bundled models/sentiment-ngram, CC BY-NC-SA 3.0, non-commercial)
  --symbols FILE   JSON symbol dictionary (default: the built-in one; see SENTIMENT_SYMBOLS)
  --batch N        headlines per model call (default 256)
  --help           show this help
`;

export async function runSentimentCommand(argv: string[], io: CommandIo): Promise<number> {
  let path: string;
  let format: NewsFileFormat;
  let batch: number;
  let match: (text: string) => string[];
  let modelDir: string;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        in: { type: 'string' },
        format: { type: 'string' },
        model: { type: 'string' },
        symbols: { type: 'string' },
        batch: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
    if (values.in === undefined || values.in === '') throw new Error('missing --in FILE');
    path = values.in;
    const f = values.format ?? (/\.csv(\.gz)?$/i.test(path) ? 'csv' : 'jsonl');
    if (!(newsFileFormats as readonly string[]).includes(f)) throw new Error(`--format "${f}" is not jsonl or csv`);
    format = f as NewsFileFormat;
    batch = Number(values.batch ?? 256);
    if (!Number.isInteger(batch) || batch < 1 || batch > 100_000)
      throw new Error(`--batch "${values.batch}" is not an integer in [1, 100000]`);
    match = symbolMatcher(loadSymbolDictionary(values.symbols ?? ''));
    modelDir = values.model ?? bundledSentimentModel;
  } catch (err) {
    io.stderr.write(`candleflow sentiment: ${errorMessage(err)} (see candleflow sentiment --help)\n`);
    return 2;
  }
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch (err) {
    io.stderr.write(`candleflow sentiment: --in ${path}: ${errorMessage(err)}\n`);
    return 2;
  }
  let classifier: SentimentClassifier;
  try {
    classifier = await loadSentimentClassifier(modelDir, { batchMax: batch });
  } catch (err) {
    io.stderr.write(`candleflow sentiment: --model ${modelDir}: ${errorMessage(err)}\n`);
    return 2;
  }
  let bad = 0;
  try {
    let pending: NewsItem[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const scored = await scoreItems(pending, classifier, match);
      pending = [];
      const text = scored.map((s) => `${JSON.stringify(headlineLine(s.item, sentimentRecords(s, classifier)))}\n`);
      if (!io.stdout.write(text.join(''))) await once(io.stdout, 'drain');
    };
    for await (const row of newsOfFile(path, format)) {
      if ('error' in row) {
        bad++;
        io.stderr.write(`candleflow sentiment: line ${row.line}: ${row.error} (skipped)\n`);
        continue;
      }
      pending.push(row.item);
      if (pending.length >= batch) await flush();
    }
    await flush();
  } catch (err) {
    io.stderr.write(`candleflow sentiment: --in ${path}: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    await classifier.close();
  }
  if (bad > 0) io.stderr.write(`candleflow sentiment: ${bad} row(s) skipped\n`);
  return 0;
}

/** The JSON line of one headline, from its market-wide Sentiment record (the same for every symbol). */
function headlineLine(item: NewsItem, records: ReturnType<typeof sentimentRecords>) {
  const s = records.find((r) => r.symbol === MARKET_SYMBOL)!;
  return {
    id: item.id,
    title: item.title,
    publishedAt: new Date(item.publishedAt).toISOString(),
    label: s.label,
    probabilities: { negative: s.pNegative, neutral: s.pNeutral, positive: s.pPositive },
    score: s.score,
    confidence: s.confidence,
    symbols: s.symbols,
    model: `${s.modelName}@${s.modelVersion}`,
  };
}
