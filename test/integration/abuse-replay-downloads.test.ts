import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingInfo, ReplayInfo } from '../../shared/protocol.js';
import { expectHealthz, expectPlaylistLoads, livePlaylistUrl, startDemoServer } from '../helpers/abuse.js';
import { holdsFor, type RunningServer, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

const REMUX_SLOTS = 2;
/** How long each remux waits before ffmpeg starts: a stand-in for the minutes a 40-minute talk takes. */
const REMUX_DELAY_SECONDS = 4;
/** The shortest idle timeout there is; a remux that takes longer must still be delivered. */
const HTTP_IDLE_TIMEOUT_SECONDS = 15;
const TALK_TITLE = 'Föredrag att ladda ner';

/**
 * The real ffmpeg behind a script that logs each replay remux (the only concat job) and holds it
 * back a few seconds, so a test can see remuxes run, queue and stop. Every other job (the demo,
 * the recorder) runs at once.
 */
function slowRemuxFfmpeg(folder: string): { path: string; log: string; delaySeconds(seconds: number): void } {
  const path = join(folder, 'ffmpeg');
  const log = join(folder, 'remuxes.log');
  const delay = join(folder, 'delay');
  writeFileSync(
    path,
    `#!/bin/sh\ncase "$*" in\n  *concat*) echo "waiting $$" >> '${log}'; sleep "$(cat '${delay}')"; echo "remuxing $$" >> '${log}' ;;\nesac\nexec ffmpeg "$@"\n`,
  );
  chmodSync(path, 0o755);
  writeFileSync(log, '');
  const delaySeconds = (seconds: number) => writeFileSync(delay, String(seconds));
  delaySeconds(REMUX_DELAY_SECONDS);
  return { path, log, delaySeconds };
}

describe('replay downloads cannot pile up remuxes', () => {
  let server: RunningServer;
  let ffmpeg: ReturnType<typeof slowRemuxFfmpeg>;
  let serverTmp: string;
  let replay: ReplayInfo;

  const remuxesStarted = () =>
    readFileSync(ffmpeg.log, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('remuxing')).length;
  const remuxTempFolders = () => readdirSync(serverTmp).filter((name) => name.startsWith('estrad-replay-'));
  const download = (init?: RequestInit) => fetch(`${server.url}${replay.downloadUrl}`, init);

  beforeAll(async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'estrad-slow-ffmpeg-'));
    ffmpeg = slowRemuxFfmpeg(scratch);
    serverTmp = mkdtempSync(join(tmpdir(), 'estrad-server-tmp-'));
    const env = {
      ...TECHNICIAN_ENV,
      FFMPEG_PATH: ffmpeg.path,
      TMPDIR: serverTmp,
      REPLAY_DOWNLOAD_CONCURRENCY: String(REMUX_SLOTS),
      HTTP_IDLE_TIMEOUT_SECONDS: String(HTTP_IDLE_TIMEOUT_SECONDS),
    };
    server = await startDemoServer(env);
    const technician = await technicianClient(server);
    const programme = await technician.call<{ talks: Record<string, unknown>[] }>('GET', `/api/events/${DEMO_EVENT_ID}/programme`);
    programme.talks.push({
      id: 'download-me',
      stageId: 'demo',
      title: TALK_TITLE,
      kind: 'talk',
      plannedStart: new Date(Date.now() - 3_600_000).toISOString(),
      plannedEnd: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await technician.call('PUT', `/api/events/${DEMO_EVENT_ID}/programme`, programme);
    await waitFor(
      async () => {
        const { recordings } = (await (await fetch(`${server.url}/api/recordings?stage=demo`)).json()) as { recordings: RecordingInfo[] };
        return recordings.some((recording) => recording.durationSeconds >= 4);
      },
      30_000,
      () => 'the demo was not recorded',
    );
    // A graceful restart finishes the recording: its replay's MP4 may then be kept.
    expect(await server.stop()).toBe(0);
    server = await startDemoServer({ ...env, DATA_DIR: server.dataDir, RECORDINGS_DIR: server.recordingsDir });
    const { replays } = (await (await fetch(`${server.url}/api/replays?stage=demo`)).json()) as { replays: ReplayInfo[] };
    replay = replays.find((candidate) => candidate.title === TALK_TITLE && candidate.durationSeconds >= 4)!;
    expect(replay).toBeDefined();
  }, 120_000);

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it(`remuxes at most ${REMUX_SLOTS} at once and refuses the rest with 503 and Retry-After, while viewers are served`, async () => {
    // Longer than the idle timeout: the silent connection of a download being prepared stays open.
    ffmpeg.delaySeconds(HTTP_IDLE_TIMEOUT_SECONDS + 2);
    const playlistUrl = await livePlaylistUrl(server);
    const responses = Promise.all(Array.from({ length: 6 }, () => download()));
    await waitFor(
      () => readFileSync(ffmpeg.log, 'utf8').includes('waiting'),
      10_000,
      () => 'no remux started',
    );
    await expectHealthz(server);
    await expectPlaylistLoads(playlistUrl);

    const answered = await responses;
    const statuses = answered.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503, 503, 503]);
    for (const response of answered.filter((candidate) => candidate.status === 503)) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
    }
    for (const response of answered.filter((candidate) => candidate.status === 200)) {
      expect(response.headers.get('content-type')).toBe('video/mp4');
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    ffmpeg.delaySeconds(REMUX_DELAY_SECONDS);
  });

  it('serves a second download of the same cut from the kept MP4, without a remux', async () => {
    const before = remuxesStarted();
    const first = await download();
    const bytes = Buffer.from(await first.arrayBuffer());
    const again = await download();
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    expect(remuxesStarted()).toBe(before);
  });

  it('makes a new MP4 once the in point moved, and keeps only that one', async () => {
    const technician = await technicianClient(server);
    replay = await technician.call<ReplayInfo>('PATCH', `/api/replays/${replay.id}`, { inAt: new Date(Date.parse(replay.inAt) + 1000).toISOString() });
    const before = remuxesStarted();
    expect((await download()).status).toBe(200);
    expect(remuxesStarted()).toBe(before + 1);
    const kept = readdirSync(join(server.recordingsDir, 'demo', replay.recordingId, 'downloads'));
    expect(kept).toHaveLength(1);
  });

  it('stops the remux and removes its files when the client goes away', async () => {
    const technician = await technicianClient(server);
    replay = await technician.call<ReplayInfo>('PATCH', `/api/replays/${replay.id}`, { inAt: new Date(Date.parse(replay.inAt) + 1000).toISOString() });
    const before = remuxesStarted();
    const client = new AbortController();
    const abandoned = download({ signal: client.signal }).catch((error: unknown) => error);
    await waitFor(
      () => remuxTempFolders().length > 0,
      10_000,
      () => 'the download never started a remux',
    );
    client.abort();
    await abandoned;
    await waitFor(
      () => remuxTempFolders().length === 0,
      5_000,
      () => `the abandoned remux kept its files: ${remuxTempFolders().join(', ')}`,
    );
    // Long enough for a remux that was not stopped to have begun.
    await holdsFor(
      () => remuxesStarted() === before,
      (REMUX_DELAY_SECONDS + 1) * 1000,
      () => 'a remux began after its client went away',
    );
    expect(existsSync(join(server.recordingsDir, 'demo', replay.recordingId, 'downloads'))).toBe(true);
    expect(server.logs()).toContain('remux stopped');
  });
});
