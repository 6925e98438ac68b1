/**
 * CPU time and memory of a local process tree from /proc (Linux only): enough to tell what the
 * server's Node process and its mediasoup workers spend while viewers watch, without any agent
 * inside the server.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessSample {
  pid: number;
  /** The kernel's command name, at most 15 characters (mediasoup workers show "mediasoup-worke"). */
  name: string;
  /** User + system CPU time since the process started. */
  cpuSeconds: number;
  rssBytes: number;
}

/** A process and everything below it, sampled at one instant. */
export interface TreeSample {
  at: number;
  root: ProcessSample;
  descendants: ProcessSample[];
}

const MEDIASOUP_WORKER_NAME = /^mediasoup-work/;

/** Clock ticks per second of /proc CPU times; 100 on every common Linux, asked once to be sure. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface StatFields {
  name: string;
  parentPid: number;
  cpuTicks: number;
}

/** /proc/<pid>/stat; the command name is in parentheses and may itself contain spaces. */
function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // the process ended
  }
  const nameEnd = text.lastIndexOf(')');
  const name = text.slice(text.indexOf('(') + 1, nameEnd);
  // Fields after the name, numbered from 3 (state) in proc(5): ppid is 4, utime 14, stime 15.
  const fields = text.slice(nameEnd + 2).split(' ');
  return {
    name,
    parentPid: Number(fields[1]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

function readRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function sampleProcess(pid: number): ProcessSample | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  return { pid, name: stat.name, cpuSeconds: stat.cpuTicks / ticksPerSecond, rssBytes: readRssBytes(pid) };
}

/** Every process whose chain of parents reaches rootPid. */
function descendantPids(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parentOf.set(Number(entry), stat.parentPid);
  }
  const found: number[] = [];
  const frontier = [rootPid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [pid, parentPid] of parentOf) {
      if (parentPid === parent) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

export function sampleTree(rootPid: number): TreeSample | undefined {
  const root = sampleProcess(rootPid);
  if (!root) return undefined;
  const descendants = descendantPids(rootPid)
    .map(sampleProcess)
    .filter((sample): sample is ProcessSample => sample !== undefined);
  return { at: performance.now(), root, descendants };
}

export function isMediasoupWorker(sample: ProcessSample): boolean {
  return MEDIASOUP_WORKER_NAME.test(sample.name);
}

/** CPU seconds per wall-clock second (1.0 = one core busy) of one process between two samples. */
export function cpuShare(before: ProcessSample | undefined, after: ProcessSample | undefined, wallSeconds: number): number {
  if (!before || !after || wallSeconds <= 0) return 0;
  return (after.cpuSeconds - before.cpuSeconds) / wallSeconds;
}

/** The share of each process present in the later sample (a process born in between counts from 0). */
export function sharesByProcess(before: TreeSample, after: TreeSample): { sample: ProcessSample; share: number }[] {
  const wallSeconds = (after.at - before.at) / 1000;
  const earlier = new Map([before.root, ...before.descendants].map((sample) => [sample.pid, sample]));
  return [after.root, ...after.descendants].map((sample) => ({
    sample,
    share: cpuShare(earlier.get(sample.pid) ?? { ...sample, cpuSeconds: 0 }, sample, wallSeconds),
  }));
}
