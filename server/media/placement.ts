/**
 * Where a new viewer of a stage is served. Kept free of mediasoup so it can be reasoned about and
 * tested on its own.
 *
 * Every live worker takes a stage's viewers from the first one on (a stage's producers are piped
 * to a worker once, which costs that worker one consumer per producer), so one big stage uses every
 * core instead of saturating its source worker, which also reads the ingest. A viewer goes to the
 * worker under the least pressure: the larger of its consumers (with the joining viewer's) as a
 * share of the consumer budget, and the share of a core it was measured to use. Counting consumers
 * reacts at once to a crowd joining together; the measured CPU catches what counts miss, such as
 * the source worker's ingest and pipes or a worker shared with other stages. On a tie the source
 * worker wins (no pipe hop). An overloaded viewer is better than a refused one: past every
 * budget, viewers still go to the least-pressed worker.
 */
export interface WorkerLoad {
  workerId: number;
  alive: boolean;
  /** Consumers placed on the worker, counting what joining viewers are about to consume. */
  consumers: number;
  /** Share of one core the worker used over the last measurement (0.5 = half a core). */
  cpu: number;
}

export function chooseWorkerForViewer(loads: readonly WorkerLoad[], sourceWorkerId: number, consumerBudget: number, viewerConsumers: number): number {
  const pressure = (load: WorkerLoad) => Math.max((load.consumers + viewerConsumers) / consumerBudget, load.cpu);
  const best = loads
    .filter((load) => load.alive)
    .reduce<WorkerLoad | undefined>((chosen, load) => {
      if (chosen === undefined) return load;
      const difference = pressure(load) - pressure(chosen);
      if (difference < 0) return load;
      return difference === 0 && load.workerId === sourceWorkerId ? load : chosen;
    }, undefined);
  if (!best) throw new Error('No mediasoup worker is alive to place a viewer on');
  return best.workerId;
}
