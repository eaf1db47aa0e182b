import { Worker } from 'node:worker_threads';
import type {
  DeviceAction,
  DeviceDump,
  DeviceInit,
  DeviceRequest,
  LedgerEntry,
} from './protocol.ts';
import { DeviceProxy, type ProxyHooks } from './proxy.ts';

/** The soak's handle on one device: its worker, its proxy, and its ledger of intended edits. */
export class Device {
  readonly ledger: LedgerEntry[] = [];
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    (r: { ok: boolean; result?: unknown; error?: string }) => void
  >();
  deviceId = '';
  offline = false;
  /** Failures of the worker itself (a crash, an unexpected exception): findings. */
  readonly failures: string[] = [];

  constructor(
    readonly name: string,
    readonly teacherLogin: string,
    readonly subgroupId: string,
    readonly skewMs: number,
    readonly proxy: DeviceProxy,
  ) {}

  static async create(
    name: string,
    teacherLogin: string,
    subgroupId: string,
    skewMs: number,
    targetPort: number,
    hooks: ProxyHooks,
    init: Omit<DeviceInit, 'name' | 'login' | 'proxyUrl' | 'skewMs'>,
  ): Promise<Device> {
    const proxy = new DeviceProxy(targetPort, hooks);
    await proxy.start();
    const device = new Device(name, teacherLogin, subgroupId, skewMs, proxy);
    await device.boot({
      ...init,
      name,
      login: teacherLogin,
      proxyUrl: `http://127.0.0.1:${proxy.port}`,
      skewMs,
    });
    return device;
  }

  private boot(init: DeviceInit): Promise<void> {
    const worker = new Worker(new URL('./device-boot.mjs', import.meta.url), {
      workerData: init,
    });
    this.worker = worker;
    worker.on('error', (err) => {
      this.failures.push(`${this.name} worker error: ${err.stack ?? err}`);
      for (const w of this.waiting.values()) w({ ok: false, error: String(err) });
      this.waiting.clear();
    });
    return new Promise((resolve, reject) => {
      worker.on('message', (msg: { ready?: boolean; deviceId?: string; id?: number }) => {
        if (msg.ready) {
          this.deviceId = msg.deviceId ?? '';
          resolve();
          return;
        }
        const w = this.waiting.get(msg.id!);
        this.waiting.delete(msg.id!);
        w?.(msg as never);
      });
      worker.once('error', reject);
    });
  }

  async call<T>(req: DeviceRequest): Promise<T> {
    const id = this.nextId++;
    const answer = await new Promise<{ ok: boolean; result?: unknown; error?: string }>(
      (resolve) => {
        this.waiting.set(id, resolve);
        this.worker!.postMessage({ id, req });
      },
    );
    if (!answer.ok) throw new Error(`${this.name} ${req.op}: ${answer.error}`);
    return answer.result as T;
  }

  async edit(action: DeviceAction): Promise<number> {
    const entries = await this.call<LedgerEntry[]>({ op: 'edit', action });
    this.ledger.push(...entries);
    return entries.length;
  }

  async setOffline(value: boolean): Promise<void> {
    this.offline = value;
    this.proxy.setOffline(value);
    if (!value) await this.signInIfNeeded();
    await this.call({ op: 'offline', value });
  }

  /**
   * After a refused refresh the same user signs in again. The server may be down at that moment
   * (a fault); then the sign-in is tried again later, as a teacher would.
   */
  async signInIfNeeded(): Promise<boolean> {
    try {
      await this.call({ op: 'signInIfNeeded' });
      return true;
    } catch (err) {
      // Any answer but a worker crash (no network, a 5xx while the database restarts): later.
      if (String(err).includes('ApiError')) return false;
      throw err;
    }
  }

  dump(): Promise<DeviceDump> {
    return this.call<DeviceDump>({ op: 'dump' });
  }

  async close(): Promise<void> {
    try {
      await this.call({ op: 'close' });
    } finally {
      await this.worker?.terminate();
      await this.proxy.stop();
    }
  }
}
