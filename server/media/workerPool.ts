import mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { WorkerLoad } from './placement.js';
import { SOCKET_BUFFER_BYTES } from './sockets.js';

/** Where every worker's WebRtcServer listens: worker n on udpPort + n and tcpPort + n. */
export interface WebRtcListenOptions {
  listenIp: string;
  announcedIp: string | undefined;
  udpPort: number;
  tcpPort: number;
}

export interface WorkerPoolOptions {
  workers: number;
  rtc: WebRtcListenOptions;
  logger: Logger;
}

/** One slot per configured worker; a slot keeps its id (and ports) when its worker is replaced. */
export interface WorkerSlot {
  id: number;
  worker: types.Worker;
  /** The one UDP and one TCP socket every WebRTC transport of this worker shares. */
  webRtcServer: types.WebRtcServer;
  alive: boolean;
  /** Consumers (including reserved ones of joining viewers) currently placed on this worker. */
  consumers: number;
  /** Share of one core the worker used between the last two CPU samples. */
  cpu: number;
  /** The last CPU sample: user plus system time in ms, and when it was taken. */
  cpuSample: { cpuMs: number; at: number } | undefined;
}

type DeathListener = (slot: WorkerSlot) => void;

const REPLACEMENT_RETRY_MS = 1000;
/** How often each worker's CPU is sampled for viewer placement. */
const CPU_SAMPLE_MS = 2000;

/**
 * Runs the mediasoup workers. A worker that dies is logged and replaced in its slot; listeners
 * learn about the death so stages served by it can be rebuilt.
 */
export class WorkerPool {
  readonly slots: WorkerSlot[] = [];
  private readonly deathListeners: DeathListener[] = [];
  private closing = false;
  private cpuSampler: NodeJS.Timeout | undefined;

  constructor(private readonly options: WorkerPoolOptions) {}

  async start(): Promise<void> {
    for (let id = 0; id < this.options.workers; id++) {
      this.slots.push({ id, ...(await this.spawn(id)), alive: true, consumers: 0, cpu: 0, cpuSample: undefined });
    }
    this.cpuSampler = setInterval(() => void this.sampleCpu(), CPU_SAMPLE_MS);
    this.cpuSampler.unref();
  }

  onWorkerDied(listener: DeathListener): void {
    this.deathListeners.push(listener);
  }

  aliveCount(): number {
    return this.slots.filter((slot) => slot.alive).length;
  }

  loads(): WorkerLoad[] {
    return this.slots.map((slot) => ({ workerId: slot.id, alive: slot.alive, consumers: slot.consumers, cpu: slot.cpu }));
  }

  slot(id: number): WorkerSlot {
    const slot = this.slots[id];
    if (!slot) throw new Error(`No mediasoup worker slot ${id}`);
    return slot;
  }

  leastLoadedAlive(): WorkerSlot {
    const alive = this.slots.filter((slot) => slot.alive);
    const best = alive.sort((a, b) => a.consumers - b.consumers)[0];
    if (!best) throw new Error('No mediasoup worker is alive');
    return best;
  }

  /**
   * The server is stopping: workers that end from now on are not replaced, nor their stages
   * rebuilt. Ctrl+C in a terminal signals the workers too, and they end by themselves.
   */
  beginClosing(): void {
    this.closing = true;
  }

  close(): void {
    this.closing = true;
    clearInterval(this.cpuSampler);
    for (const slot of this.slots) slot.worker.close();
  }

  private async sampleCpu(): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        const { worker } = slot;
        const usage = slot.alive ? await worker.getResourceUsage().catch(() => undefined) : undefined;
        if (!usage || slot.worker !== worker) return;
        const sample = { cpuMs: usage.ru_utime + usage.ru_stime, at: performance.now() };
        const previous = slot.cpuSample;
        slot.cpuSample = sample;
        if (previous) slot.cpu = (sample.cpuMs - previous.cpuMs) / Math.max(1, sample.at - previous.at);
      }),
    );
  }

  private async spawn(id: number): Promise<{ worker: types.Worker; webRtcServer: types.WebRtcServer }> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn', appData: { slot: id } });
    worker.on('died', (error: Error) => this.handleDeath(id, worker, error));
    const { listenIp, announcedIp, udpPort, tcpPort } = this.options.rtc;
    const listen = { ip: listenIp, announcedAddress: announcedIp, sendBufferSize: SOCKET_BUFFER_BYTES, recvBufferSize: SOCKET_BUFFER_BYTES };
    try {
      const webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { ...listen, protocol: 'udp', port: udpPort + id },
          { ...listen, protocol: 'tcp', port: tcpPort + id },
        ],
      });
      this.options.logger.info({ worker: id, pid: worker.pid, udpPort: udpPort + id, tcpPort: tcpPort + id }, 'mediasoup worker started');
      return { worker, webRtcServer };
    } catch (error) {
      worker.close();
      throw new Error(`mediasoup worker ${id} cannot listen on UDP ${udpPort + id} and TCP ${tcpPort + id} (${listenIp}): ${String(error)}`, { cause: error });
    }
  }

  private handleDeath(id: number, worker: types.Worker, error: Error): void {
    const slot = this.slot(id);
    if (slot.worker !== worker) return;
    slot.alive = false;
    slot.consumers = 0;
    slot.cpu = 0;
    slot.cpuSample = undefined;
    if (this.closing) {
      this.options.logger.info({ worker: id, pid: worker.pid }, 'mediasoup worker ended while the server stops; not replaced');
      return;
    }
    this.options.logger.error({ worker: id, pid: worker.pid, err: error }, 'mediasoup worker died; replacing it');
    for (const listener of this.deathListeners) listener(slot);
    void this.replace(slot);
  }

  private async replace(slot: WorkerSlot): Promise<void> {
    while (!this.closing) {
      try {
        Object.assign(slot, await this.spawn(slot.id));
        slot.alive = true;
        return;
      } catch (error) {
        this.options.logger.error({ worker: slot.id, err: error }, 'could not start a replacement mediasoup worker; retrying');
        await new Promise((resolve) => setTimeout(resolve, REPLACEMENT_RETRY_MS));
      }
    }
  }
}
