import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordingInfo, ReplayInfo } from '../../shared/protocol.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { type RunningServer, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { TEST_FFPROBE } from '../helpers/mediaTools.js';

async function demoRecordings(server: RunningServer): Promise<RecordingInfo[]> {
  const response = await fetch(`${server.url}/api/recordings?stage=demo`);
  return ((await response.json()) as { recordings: RecordingInfo[] }).recordings;
}

function videoTime(page: Page): Promise<{ currentTime: number; duration: number }> {
  return page.evaluate(() => {
    const video = document.querySelector('video')!;
    return { currentTime: video.currentTime, duration: video.duration };
  });
}

async function waitUntilAdvancing(page: Page, beyond: number, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => (await videoTime(page)).currentTime > beyond,
    timeoutMs,
    () => `playback did not pass ${beyond} s`,
  );
}

describe('recordings play with hls.js, live and as replays', () => {
  const fixture = useBrowserFixture({ env: { ...TECHNICIAN_ENV, DEMO: '1' } });
  let recordingId: string;

  beforeAll(async () => {
    // A talk on the demo stage around now, so the recording gets a per-talk replay.
    const technician = await technicianClient(fixture.server);
    const programme = await technician.call<{ talks: Record<string, unknown>[] }>('GET', `/api/events/${DEMO_EVENT_ID}/programme`);
    programme.talks.push({
      id: 'just-now',
      stageId: 'demo',
      title: 'Pågående föredrag',
      kind: 'talk',
      plannedStart: new Date(Date.now() - 3_600_000).toISOString(),
      plannedEnd: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await technician.call('PUT', `/api/events/${DEMO_EVENT_ID}/programme`, programme);
  });

  it('plays the live playlist while recording', async () => {
    const { server } = fixture;
    await waitFor(
      async () => (await demoRecordings(server)).some((recording) => recording.status === 'recording' && recording.durationSeconds >= 4),
      30_000,
      () => 'no live recording',
    );
    const recording = (await demoRecordings(server)).find((candidate) => candidate.status === 'recording')!;
    recordingId = recording.id;
    const playlist = await fetch(`${server.url}${recording.playlistUrl}`);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('public, no-cache');
    const text = await playlist.text();
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    const segment = text.split('\n').find((line) => line.endsWith('.ts'))!;
    const segmentUrl = `${server.url}${recording.playlistUrl.replace('index.m3u8', segment)}`;
    const ranged = await fetch(segmentUrl, { headers: { range: 'bytes=0-187' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toBe('video/mp2t');
    expect(ranged.headers.get('cache-control')).toContain('immutable');
    expect((await ranged.arrayBuffer()).byteLength).toBe(188);

    const page = await fixture.context.newPage();
    await page.goto(`${server.url}/replay/${recording.id}`);
    await waitUntilAdvancing(page, 1, 20_000);
    expect(await page.evaluate(() => (window as unknown as { estradReplay: { live(): boolean } }).estradReplay.live())).toBe(true);
    await page.close();
  });

  it('plays the closed recording, seeks to the middle and plays on', async () => {
    // A graceful restart closes the recording as VOD.
    const server = await fixture.restartServer();
    const closed = (await demoRecordings(server)).find((recording) => recording.id === recordingId)!;
    expect(closed.status).toBe('complete');
    const playlist = await fetch(`${server.url}${closed.playlistUrl}`);
    expect(playlist.headers.get('cache-control')).toContain('immutable');
    expect(await playlist.text()).toContain('#EXT-X-ENDLIST');

    const page = await fixture.context.newPage();
    await page.goto(`${server.url}/replay/${recordingId}`);
    await waitFor(
      async () => (await videoTime(page)).duration > 4,
      20_000,
      () => 'no duration',
    );
    const { duration } = await videoTime(page);
    const middle = duration / 2;
    await page.evaluate((to) => {
      const video = document.querySelector('video')!;
      video.muted = true;
      video.currentTime = to;
      void video.play();
    }, middle);
    await waitUntilAdvancing(page, middle + 1, 15_000);
    await page.close();
  });

  it('cuts a replay for the talk and downloads it as one MP4 without re-encoding', async () => {
    const { server } = fixture;
    const response = await fetch(`${server.url}/api/replays?stage=demo`);
    const { replays } = (await response.json()) as { replays: ReplayInfo[] };
    const replay = replays.find((candidate) => candidate.recordingId === recordingId && candidate.title === 'Pågående föredrag')!;
    expect(replay).toBeDefined();
    const playlist = await (await fetch(`${server.url}${replay.playlistUrl}`)).text();
    expect(playlist).toContain('#EXT-X-ENDLIST');
    const segmentsIn = (text: string) => text.split('\n').filter((line) => line.endsWith('.ts')).length;

    const download = await fetch(`${server.url}${replay.downloadUrl}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    const file = join(tmpdir(), `estrad-replay-${Date.now()}.mp4`);
    writeFileSync(file, Buffer.from(await download.arrayBuffer()));
    const probe = JSON.parse(execFileSync(TEST_FFPROBE, ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' })) as {
      streams: { codec_type: string; codec_name: string }[];
    };
    expect(probe.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);

    // A technician moves the out point to 1 s after the in point: the replay loses segments.
    const technician = await technicianClient(server);
    const moved = await technician.call<ReplayInfo>('PATCH', `/api/replays/${replay.id}`, {
      outAt: new Date(Date.parse(replay.inAt) + 1000).toISOString(),
    });
    expect(moved.durationSeconds).toBe(1);
    const trimmed = await (await fetch(`${server.url}${replay.playlistUrl}`)).text();
    expect(segmentsIn(trimmed)).toBeLessThan(segmentsIn(playlist));
    const refused = await fetch(`${server.url}/api/replays/${replay.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"title":"x"}',
    });
    expect(refused.status).toBe(401);
  });
});
