import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type ClusterSpec,
  formatArguments,
  javaBinary,
  jvmArguments,
  type NodeSpec,
  serverProperties,
} from './node-config.ts';

// Writes a node's server.properties and formats its KRaft storage with the storage tool (with the SCRAM
// users in its bootstrap metadata): what `kafka-storage.sh format` does in a Kafka distribution.

const exec = promisify(execFile);

export async function formatNode(spec: ClusterSpec, node: NodeSpec, clusterId: string): Promise<void> {
  const logsDir = join(node.dir, 'logs');
  await mkdir(logsDir, { recursive: true });
  const properties = join(node.dir, 'server.properties');
  await writeFile(properties, serverProperties(spec, node));
  const args = jvmArguments(
    { heap: '256m', logsDir },
    'kafka.tools.StorageTool',
    formatArguments(spec, clusterId, properties),
  );
  const { stdout } = await exec(javaBinary(), args).catch(
    (err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`formatting node ${node.id} failed: ${err.stderr || err.stdout || err.message}`);
    },
  );
  await writeFile(join(logsDir, 'format.log'), stdout);
}
