/**
 * The open-file limit the server runs with. Every viewer costs file descriptors (its socket.io
 * connection, HTTP requests for HLS files), as do the recorder's files and the mediasoup workers'
 * pipes. Node raises its soft RLIMIT_NOFILE to the hard limit at start-up by itself (node.cc,
 * PlatformInit), so the hard limit is what counts: `ulimit -Hn`, systemd's LimitNOFILE, Docker's
 * `--ulimit nofile=`. Node has no API to read it; on Linux, /proc tells.
 */
import { readFileSync } from 'node:fs';

/** Below this, a few hundred viewers and idle connections can exhaust the server. */
export const RECOMMENDED_OPEN_FILES = 65_536;

export interface OpenFileLimit {
  soft: number;
  hard: number;
}

/** The process's own limits, or undefined where /proc is not available (not Linux). */
export function openFileLimit(limitsFile = '/proc/self/limits'): OpenFileLimit | undefined {
  try {
    const line = readFileSync(limitsFile, 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('Max open files'));
    const [soft, hard] = (line?.split(/\s{2,}/) ?? []).slice(1, 3).map((value) => (value === 'unlimited' ? Infinity : Number(value)));
    return soft !== undefined && hard !== undefined && !Number.isNaN(soft) && !Number.isNaN(hard) ? { soft, hard } : undefined;
  } catch {
    return undefined;
  }
}
