import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';

// How the harness finds ports for its nodes and tells when they serve.

const host = '127.0.0.1';

/** A port nothing listens on right now (the OS's pick; a node binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The node ids the cluster's metadata lists (registered and unfenced brokers), asked of `addresses`. */
export async function listedNodes(addresses: string[]): Promise<number[]> {
  const kafka = new Kafka({
    brokers: addresses,
    clientId: 'kafka-broker-harness',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1_000,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    return brokers.map((b) => b.nodeId);
  } finally {
    await admin.disconnect();
  }
}
