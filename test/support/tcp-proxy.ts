import net from 'node:net';

// A TCP proxy in front of a database server that a test can cut: stop() drops every connection and refuses new
// ones (the server "goes away"), start() brings it back on the same port. cutAtCommit() kills the connection
// that sends COMMIT, either before the server sees it (the transaction is rolled back) or right after (it
// commits but the client never hears so): the two ways a transaction can be interrupted at its most awkward point.

export type CommitCut = 'before-commit' | 'after-commit';

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private cut: CommitCut | undefined;
  port = 0;
  cuts = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    const server = net.createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Arms a one-shot cut of the next connection that sends COMMIT. */
  cutAtCommit(mode: CommitCut): void {
    this.cut = mode;
  }

  private pipe(client: net.Socket): void {
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('data', (chunk: Buffer) => {
      // pg sends COMMIT as a simple Query message: 'Q', int32 length, "COMMIT\0".
      if (this.cut && chunk.includes('COMMIT\0')) {
        const mode = this.cut;
        this.cut = undefined;
        this.cuts++;
        if (mode === 'before-commit') {
          drop();
          return;
        }
        upstream.write(chunk, () => {
          // Let the server read the COMMIT, then vanish before its answer reaches the client.
          upstream.removeAllListeners('data');
          setTimeout(drop, 50);
        });
        return;
      }
      upstream.write(chunk);
    });
  }
}
