import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * One device's network: a TCP proxy on 127.0.0.1 between the device and the server it talks to.
 * It can take the device offline (every connection refused and the open ones cut), move it to
 * another server (as a phone changing networks), cut a connection in the middle of a response,
 * and tell the soak that a push is passing (so a server can be killed mid-push).
 */

export interface ProxyHooks {
  /** Called with the proxy's target port when a push request starts through it. */
  onPush?: (targetPort: number) => void;
}

export class DeviceProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private offline = false;
  /** Bytes of the next sync response to let through before cutting the connection. */
  private cutAfter: number | null = null;
  port = 0;
  cuts = 0;

  constructor(
    public targetPort: number,
    private readonly hooks: ProxyHooks = {},
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
  }

  setOffline(offline: boolean): void {
    this.offline = offline;
    if (offline) this.dropAll();
  }

  /** For a device that did not get in sync: where its connections go and what is armed. */
  describe(): string {
    const state = this.offline ? 'offline' : 'online';
    return `proxy :${this.port} -> :${this.targetPort} ${state}, ${this.sockets.size} sockets open, cut armed ${this.cutAfter}, ${this.cuts} cuts`;
  }

  isOffline(): boolean {
    return this.offline;
  }

  /** Points new connections at another server and drops the open ones. */
  retarget(port: number): void {
    this.targetPort = port;
    this.dropAll();
  }

  /** The next sync response through this proxy is cut after `bytes` bytes. */
  armCut(bytes: number): void {
    this.cutAfter = bytes;
  }

  dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private accept(client: Socket): void {
    if (this.offline) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);

    let cutBudget: number | null = null;
    client.on('data', (chunk: Buffer) => {
      const head = chunk.subarray(0, 64).toString('latin1');
      if (head.startsWith('POST /api/sync/') && head.includes('/push')) {
        this.hooks.onPush?.(this.targetPort);
      }
      if (this.cutAfter !== null && /^(GET|POST) \/api\/sync\/\w+\/(pull|push)/.test(head)) {
        cutBudget = this.cutAfter;
        this.cutAfter = null;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutBudget === null) {
        client.write(chunk);
        return;
      }
      const part = chunk.subarray(0, Math.max(0, cutBudget));
      if (part.length > 0) client.write(part);
      cutBudget -= chunk.length;
      if (cutBudget < 0) {
        this.cuts++;
        close();
      }
    });
  }
}
