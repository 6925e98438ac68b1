/**
 * Where a new viewer of a stage is served. Kept free of mediasoup so it can be reasoned about and
 * tested on its own.
 *
 * A viewer stays on the stage's source worker while that worker has room in its consumer budget:
 * serving from the source router avoids a pipe hop. Past the budget, viewers go to the least-loaded
 * live worker (piping the stage's producers there), and when every worker is past its budget they
 * still go to the least loaded one: an overloaded viewer is better than a refused one.
 */
export interface WorkerLoad {
  workerId: number;
  alive: boolean;
  /** Consumers placed on the worker, counting what joining viewers are about to consume. */
  consumers: number;
}

export function chooseWorkerForViewer(loads: readonly WorkerLoad[], sourceWorkerId: number, consumerBudget: number, viewerConsumers: number): number {
  const alive = loads.filter((load) => load.alive);
  const source = alive.find((load) => load.workerId === sourceWorkerId);
  if (source && source.consumers + viewerConsumers <= consumerBudget) return source.workerId;
  const leastLoaded = alive.reduce<WorkerLoad | undefined>((best, load) => (best === undefined || load.consumers < best.consumers ? load : best), undefined);
  if (!leastLoaded) throw new Error('No mediasoup worker is alive to place a viewer on');
  return leastLoaded.workerId;
}
