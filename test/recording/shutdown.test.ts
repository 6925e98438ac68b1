import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { readPlaylist, readRecordings, recordingFolder, waitForSegments } from './recordingHelpers.js';

/** Processes of a process group, with their command lines (Linux /proc). */
function processGroupMembers(groupId: number): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (fields[0] === 'Z' || Number(fields[2]) !== groupId) return [];
        return [`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')}`];
      } catch {
        return [];
      }
    });
}

/** Log lines (pino JSON) after the first one whose message matches. */
function logLinesAfter(logs: string, message: string): string[] {
  const lines = logs.split('\n');
  const start = lines.findIndex((line) => line.includes(`"msg":"${message}"`));
  return start < 0 ? [] : lines.slice(start + 1);
}

describe('stopping the server by a signal', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    if (!server) return;
    if (server.process.exitCode === null) await server.stop();
    for (const member of processGroupMembers(server.process.pid!)) process.kill(Number(member.split(' ')[0]), 'SIGKILL');
    server = undefined;
  });

  // Ctrl+C in a terminal signals the whole process group (the workers and ffmpeg too); docker stop
  // and systemd signal the server alone, which closes its workers itself after the recordings
  // (mediasoup 3.19.22 and later would close them at the signal: patch 003 stops that).
  it.each([
    ['Ctrl+C (SIGINT to the whole process group)', 'SIGINT', true],
    ['SIGTERM to the server process alone', 'SIGTERM', false],
  ] as const)('stops on %s without replacing workers or restarting the demo, and closes the recording', async (_how, signal, wholeGroup) => {
    // VP8, as browsers send, is encoded to H.264: its ffmpeg takes long enough to finish that the
    // workers' ends arrive while the server still stops.
    server = await startServer({ DEMO: '1', DEMO_CODEC: 'VP8' }, { detached: true });
    const recording = await waitForSegments(server, 2);
    const groupId = server.process.pid!;
    const exited = new Promise<number | null>((resolve) => server!.process.once('exit', resolve));

    process.kill(wholeGroup ? -groupId : groupId, signal);
    const code = await exited;

    const duringShutdown = logLinesAfter(server.logs(), 'shutting down').join('\n');
    expect(duringShutdown, 'a mediasoup worker was replaced while stopping').not.toMatch(/mediasoup worker started|replacing it/);
    expect(duringShutdown, 'the demo source was restarted while stopping').not.toMatch(/starting it again|demo-source: on air/);
    expect(code, server.logs().slice(-4000)).toBe(0);
    await waitFor(
      () => processGroupMembers(groupId).length === 0,
      5_000,
      () => `left running: ${processGroupMembers(groupId).join('\n')}`,
    );

    const [closed] = readRecordings(server.dataDir);
    expect(closed).toMatchObject({ id: recording.id, status: 'complete' });
    const { playlist, text } = readPlaylist(recordingFolder(server, recording));
    expect(playlist.endlist).toBe(true);
    expect(text.trim().split('\n').at(-1)).toBe('#EXT-X-ENDLIST');
    expect(playlist.segments.length).toBeGreaterThanOrEqual(2);
  });
});
