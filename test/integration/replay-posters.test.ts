import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveResponse } from '../../shared/protocol.js';
import { recordingDirectory } from '../../server/recording/layout.js';
import { prepareRecordedReplays, type RecordedFolders, type RecordedReplay } from '../helpers/recordedReplay.js';
import { type RunningServer, startServer } from '../helpers/server.js';

const JPEG_START = [0xff, 0xd8, 0xff];

describe('poster frames of replays', () => {
  let server: RunningServer;
  let folders: RecordedFolders;
  let intact: RecordedReplay;
  let damaged: RecordedReplay;

  beforeAll(async () => {
    folders = prepareRecordedReplays([
      { eventId: 'dag-ett', stageId: 'stora', visibility: 'public', seconds: 8 },
      { eventId: 'dag-tva', stageId: 'lilla', visibility: 'public' },
    ]);
    [intact, damaged] = folders.replays as [RecordedReplay, RecordedReplay];
    // Its segments are gone from the disk, as after a failed disk or a careless clean-up.
    for (const file of damaged.segmentFiles) rmSync(join(recordingDirectory(folders.recordingsDir, damaged.stageId, damaged.recordingId), file));
    server = await startServer({ DATA_DIR: folders.dataDir, RECORDINGS_DIR: folders.recordingsDir });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  const posterUrlOf = async (replay: RecordedReplay) => {
    const { replays } = (await (await fetch(`${server.url}/api/archive`)).json()) as ArchiveResponse;
    return replays.find((entry) => entry.id === replay.replayId)!.posterUrl;
  };

  it('takes a JPEG frame from the recording with ffmpeg, keeps it beside the recording and serves it like the replay’s playlist', async () => {
    const url = await posterUrlOf(intact);
    expect(url).toBe(`/api/replays/${intact.replayId}/poster.jpg`);
    const answer = await fetch(`${server.url}${url}`);
    expect(answer.status, server.logs()).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    expect(answer.headers.get('cache-control')).toBe('public, no-cache');
    const jpeg = Buffer.from(await answer.arrayBuffer());
    expect([...jpeg.subarray(0, 3)]).toEqual(JPEG_START);
    expect(jpeg.byteLength).toBeGreaterThan(1000);

    const posters = join(recordingDirectory(folders.recordingsDir, intact.stageId, intact.recordingId), 'posters');
    expect(readdirSync(posters)).toEqual([expect.stringMatching(new RegExp(`^${intact.replayId}-[0-9a-f]{16}\\.jpg$`))]);
    const again = Buffer.from(await (await fetch(`${server.url}${url}`)).arrayBuffer());
    expect(again.equals(jpeg)).toBe(true);
  });

  it('answers a replay whose recording lost its segments with a translatable 404, not a server error, and keeps listing it', async () => {
    const answer = await fetch(`${server.url}${await posterUrlOf(damaged)}`);
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(existsSync(join(recordingDirectory(folders.recordingsDir, damaged.stageId, damaged.recordingId), 'posters'))).toBe(true);
    const archive = await fetch(`${server.url}/api/archive`);
    expect(archive.status).toBe(200);
    expect(((await archive.json()) as ArchiveResponse).replays).toHaveLength(2);
  });

  it('answers an unknown replay’s poster with 404', async () => {
    const answer = await fetch(`${server.url}/api/replays/no-such-replay/poster.jpg`);
    expect(answer.status).toBe(404);
  });
});
