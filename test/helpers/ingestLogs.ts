import type { RunningServer } from './server.js';

/** The server's latest log lines from the ingest (listeners, WHIP, feed switches), for failure messages. */
export function ingestLogs(server: RunningServer, lines = 20): string {
  return server
    .logs()
    .split('\n')
    .filter((line) => line.includes('"component":"ingest"'))
    .slice(-lines)
    .join('\n');
}
