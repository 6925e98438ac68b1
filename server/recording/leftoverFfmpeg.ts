/**
 * ffmpeg processes a crashed server left behind. They outlive it (nothing kills a child when its
 * parent is SIGKILLed) and hold the segment they were writing when media stopped. Asked to end
 * like any run (RTCP BYE), they write that segment and close their playlist, so crash recovery
 * finds it listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import sdpTransform from 'sdp-transform';
import type { Logger } from 'pino';
import type { RunFiles } from './layout.js';
import { sendRtcpBye } from './udpPorts.js';

const EXIT_WAIT_MS = 5_000;
const EXIT_POLL_MS = 100;

/** Ends the ffmpeg still running a run, if there is one (Linux: found through /proc). */
export async function endLeftoverFfmpeg(run: RunFiles, logger: Logger): Promise<void> {
  const pids = processesNaming(run.sdp);
  if (pids.length === 0) return;
  const sdp = await readFile(run.sdp, 'utf8').catch(() => undefined);
  if (sdp) await sendRtcpBye(rtcpPortsOf(sdp));
  const ended = await waitForExit(pids, EXIT_WAIT_MS);
  for (const pid of pids.filter((pid) => !ended.has(pid))) process.kill(pid, 'SIGKILL');
  logger.warn({ run: run.number, pids, endedGracefully: ended.size }, 'ended an ffmpeg left running by the previous server');
}

function rtcpPortsOf(sdp: string): number[] {
  return sdpTransform.parse(sdp).media.map((media) => media.rtcp?.port ?? media.port + 1);
}

/** Processes with `argument` among their command-line arguments. */
function processesNaming(argument: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && commandLine(pid).includes(argument) && isRunning(pid));
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Alive and not a zombie (a container's init may never reap an orphan that ended). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitForExit(pids: number[], timeoutMs: number): Promise<Set<number>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && pids.some(isRunning)) {
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
  return new Set(pids.filter((pid) => !isRunning(pid)));
}
