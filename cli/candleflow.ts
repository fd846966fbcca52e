import { main } from './main.ts';

// Process entry point of `candleflow` (bin/candleflow.js and npm start).
main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
);
