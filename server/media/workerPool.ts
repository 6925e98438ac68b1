import mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { WorkerLoad } from './placement.js';

export interface WorkerPoolOptions {
  workers: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logger: Logger;
}

/** One slot per configured worker; a slot keeps its id when its worker is replaced. */
export interface WorkerSlot {
  id: number;
  worker: types.Worker;
  alive: boolean;
  /** Consumers (including reserved ones of joining viewers) currently placed on this worker. */
  consumers: number;
}

type DeathListener = (slot: WorkerSlot) => void;

const REPLACEMENT_RETRY_MS = 1000;

/**
 * Runs the mediasoup workers. A worker that dies is logged and replaced in its slot; listeners
 * learn about the death so stages served by it can be rebuilt.
 */
export class WorkerPool {
  readonly slots: WorkerSlot[] = [];
  private readonly deathListeners: DeathListener[] = [];
  private closing = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  async start(): Promise<void> {
    for (let id = 0; id < this.options.workers; id++) {
      this.slots.push({ id, worker: await this.spawn(id), alive: true, consumers: 0 });
    }
  }

  onWorkerDied(listener: DeathListener): void {
    this.deathListeners.push(listener);
  }

  aliveCount(): number {
    return this.slots.filter((slot) => slot.alive).length;
  }

  loads(): WorkerLoad[] {
    return this.slots.map((slot) => ({ workerId: slot.id, alive: slot.alive, consumers: slot.consumers }));
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
    for (const slot of this.slots) slot.worker.close();
  }

  private async spawn(id: number): Promise<types.Worker> {
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: this.options.rtcMinPort,
      rtcMaxPort: this.options.rtcMaxPort,
      appData: { slot: id },
    });
    worker.on('died', (error: Error) => this.handleDeath(id, worker, error));
    this.options.logger.info({ worker: id, pid: worker.pid }, 'mediasoup worker started');
    return worker;
  }

  private handleDeath(id: number, worker: types.Worker, error: Error): void {
    const slot = this.slot(id);
    if (slot.worker !== worker) return;
    slot.alive = false;
    slot.consumers = 0;
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
        slot.worker = await this.spawn(slot.id);
        slot.alive = true;
        return;
      } catch (error) {
        this.options.logger.error({ worker: slot.id, err: error }, 'could not start a replacement mediasoup worker; retrying');
        await new Promise((resolve) => setTimeout(resolve, REPLACEMENT_RETRY_MS));
      }
    }
  }
}
