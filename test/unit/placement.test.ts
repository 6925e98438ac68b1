import { describe, expect, it } from 'vitest';
import { chooseWorkerForViewer, type WorkerLoad } from '../../server/media/placement.js';

const load = (workerId: number, consumers: number, { alive = true, cpu = 0 } = {}): WorkerLoad => ({
  workerId,
  consumers,
  alive,
  cpu,
});

describe('viewer placement', () => {
  it('serves the first viewer from the source worker when all workers are idle', () => {
    expect(chooseWorkerForViewer([load(0, 0), load(1, 0)], 1, 100, 2)).toBe(1);
  });

  it('spreads a stage over every worker from the start, long before the budget is spent', () => {
    expect(chooseWorkerForViewer([load(0, 2), load(1, 0)], 0, 600, 2)).toBe(1);
    const loads = [load(0, 0), load(1, 0), load(2, 0)];
    const placed = Array.from({ length: 30 }, () => {
      const workerId = chooseWorkerForViewer(loads, 0, 600, 2);
      loads[workerId]!.consumers += 2;
      return workerId;
    });
    expect(loads.map((worker) => worker.consumers)).toEqual([20, 20, 20]);
    expect(placed.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('sends viewers away from a worker whose measured CPU is high, even with fewer consumers', () => {
    expect(chooseWorkerForViewer([load(0, 100, { cpu: 0.7 }), load(1, 200, { cpu: 0.2 })], 0, 600, 2)).toBe(1);
    expect(chooseWorkerForViewer([load(0, 100, { cpu: 0.1 }), load(1, 200, { cpu: 0.2 })], 0, 600, 2)).toBe(0);
  });

  it('weighs consumers when the CPU measurement lags behind a crowd joining at once', () => {
    expect(chooseWorkerForViewer([load(0, 500, { cpu: 0.1 }), load(1, 100, { cpu: 0.3 })], 0, 600, 2)).toBe(1);
  });

  it('still places viewers when every worker is past its budget', () => {
    expect(chooseWorkerForViewer([load(0, 300), load(1, 250)], 0, 100, 2)).toBe(1);
  });

  it('never places on a dead worker, even the source', () => {
    expect(chooseWorkerForViewer([load(0, 0, { alive: false }), load(1, 500)], 0, 100, 2)).toBe(1);
  });

  it('fails clearly when no worker is alive', () => {
    expect(() => chooseWorkerForViewer([load(0, 0, { alive: false })], 0, 100, 2)).toThrow(/No mediasoup worker is alive/);
  });
});
