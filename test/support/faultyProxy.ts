// A TCP proxy in front of PostgreSQL that the test controls: it passes bytes through, holds them
// (a database or network that accepts connections but never answers), or drops every
// connection. Held bytes are delivered in order when it heals, as a healed network would.
import { connect, createServer, type Server, type Socket } from 'node:net';

type Mode = 'pass' | 'hang' | 'drop';

export class FaultyProxy {
  private mode: Mode = 'pass';
  private server: Server | null = null;
  private readonly flushes = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Stops answering: connections stay open, nothing passes either way, new ones are accepted and held too. */
  hang(): void {
    this.mode = 'hang';
  }

  /** Closes every connection and refuses new ones (closes them at once). */
  drop(): void {
    this.mode = 'drop';
    for (const socket of this.sockets) socket.destroy();
  }

  heal(): void {
    this.mode = 'pass';
    for (const flush of this.flushes) flush();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'drop') {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    const held: Array<[Socket, Buffer]> = [];
    const flush = () => {
      for (const [to, chunk] of held.splice(0)) to.write(chunk);
    };
    this.flushes.add(flush);
    client.once('close', () => this.flushes.delete(flush));
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (this.mode === 'pass' && held.length === 0) to.write(chunk);
      else held.push([to, chunk]);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
  }
}
