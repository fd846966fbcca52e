import { parseArgs } from 'node:util';
import { startKafkaCluster } from '../support/kafka-broker.ts';

// Starts a test cluster by hand: `npx tsx test/kafka-broker/start-cluster.ts [--nodes 3] [--sasl]`. Prints one
// JSON line (version, brokers, SASL brokers and user, JVM pids, start-up time) and serves until Ctrl-C,
// SIGTERM or the end of stdin; then kills the nodes and removes their data.

const { values } = parseArgs({
  options: { nodes: { type: 'string', default: '1' }, sasl: { type: 'boolean', default: false } },
});
const nodes = Number(values.nodes);
if (nodes !== 1 && nodes !== 3) {
  process.stderr.write('start-cluster: --nodes must be 1 or 3\n');
  process.exit(2);
}
const started = Date.now();
const cluster = await startKafkaCluster({ nodes, sasl: values.sasl });
process.stdout.write(
  `${JSON.stringify({
    version: cluster.version,
    brokers: cluster.brokers.join(','),
    saslBrokers: cluster.saslBrokers.join(','),
    superUser: cluster.superUser,
    pids: cluster.nodes.map((n) => n.pid),
    startMs: Date.now() - started,
  })}\n`,
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
