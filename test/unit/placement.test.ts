import { describe, expect, it } from 'vitest';
import { chooseWorkerForViewer, type WorkerLoad } from '../../server/media/placement.js';

const load = (workerId: number, consumers: number, alive = true): WorkerLoad => ({ workerId, consumers, alive });

describe('viewer placement', () => {
  it('keeps viewers on the source worker while its budget has room', () => {
    expect(chooseWorkerForViewer([load(0, 10), load(1, 0)], 0, 100, 2)).toBe(0);
  });

  it('counts the joining viewer against the budget', () => {
    expect(chooseWorkerForViewer([load(0, 99), load(1, 0)], 0, 100, 2)).toBe(1);
    expect(chooseWorkerForViewer([load(0, 98), load(1, 0)], 0, 100, 2)).toBe(0);
  });

  it('sends overflow to the least-loaded worker', () => {
    expect(chooseWorkerForViewer([load(0, 100), load(1, 40), load(2, 20)], 0, 100, 2)).toBe(2);
  });

  it('still places viewers when every worker is past its budget', () => {
    expect(chooseWorkerForViewer([load(0, 300), load(1, 250)], 0, 100, 2)).toBe(1);
  });

  it('never places on a dead worker, even the source', () => {
    expect(chooseWorkerForViewer([load(0, 0, false), load(1, 500)], 0, 100, 2)).toBe(1);
  });

  it('fails clearly when no worker is alive', () => {
    expect(() => chooseWorkerForViewer([load(0, 0, false)], 0, 100, 2)).toThrow(/No mediasoup worker is alive/);
  });
});
