import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A suite whose service is missing must show up as skipped (with the reason), never as passed, and as a failure
// when CANDLEFLOW_REQUIRE_SERVICES=1: checked by running vitest on such a suite and reading its JSON report.

const root = fileURLToPath(new URL('../../', import.meta.url));

function runMissingServiceSuite(require: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'cf-skip-'));
  const file = join(dir, 'missing.test.ts');
  writeFileSync(
    file,
    `import { expect, it } from 'vitest';
import { describeWithService } from ${JSON.stringify(join(root, 'test/support/services.ts'))};
describeWithService('a broker', 'nothing listens on 127.0.0.1:1', 'needs a broker', () => {
  it('would talk to it', () => expect(1).toBe(1));
});
`,
  );
  const report = join(dir, 'report.json');
  const env = { ...process.env, CANDLEFLOW_REQUIRE_SERVICES: require ? '1' : '0' };
  spawnSync(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--reporter=json', `--outputFile=${report}`],
    { env, encoding: 'utf8', timeout: 60_000 },
  );
  return JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numPendingTests: number;
    numFailedTests: number;
    testResults: { assertionResults: { fullName: string; status: string }[] }[];
  };
}

describe('a suite whose service is missing', () => {
  it('is reported as skipped, saying why, not as passed', () => {
    const r = runMissingServiceSuite(false);
    expect(r.numPassedTests).toBe(0);
    expect(r.numPendingTests).toBe(1);
    expect(r.testResults[0]!.assertionResults[0]!.fullName).toContain(
      'skipped: a broker is not available (nothing listens on 127.0.0.1:1)',
    );
  });

  it('fails when CANDLEFLOW_REQUIRE_SERVICES=1', () => {
    const r = runMissingServiceSuite(true);
    expect(r.numFailedTests).toBe(1);
    expect(r.numPassedTests).toBe(0);
  });
});
