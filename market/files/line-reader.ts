import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

export interface NumberedLine {
  line: string;
  /** 1-based */
  lineNumber: number;
}

/** Lines of a file (gunzipped when it ends in .gz), one at a time: memory stays bounded whatever the size. */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => input.destroy(err));
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      yield { line, lineNumber };
    }
  } finally {
    lines.close();
    raw.destroy();
  }
}
