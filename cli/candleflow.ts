import { processEnv } from '../pipeline/config/env.ts';
import { main } from './main.ts';

// Process entry point of `candleflow` (bin/candleflow.js and npm start).
process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: processEnv(),
});
