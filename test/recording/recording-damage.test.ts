import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../shared/protocol.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { readPlaylist, readRecordings, recordingFolder, waitForSegments } from './recordingHelpers.js';

/** Damage on disk is noticed this soon (the recorder watches its folder). */
const NOTICED_MS = 5_000;

async function recordingInfo(server: RunningServer, id: string): Promise<RecordingInfo> {
  return (await (await fetch(`${server.url}/api/recordings/${id}`)).json()) as RecordingInfo;
}

function listedFiles(folder: string): string[] {
  return readPlaylist(folder).playlist.segments.map((segment) => segment.uri);
}

describe('what happens to a recording on disk is noticed', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('stops listing a segment deleted or overwritten after it was recorded, and says the recording is damaged', async () => {
    server = await startServer({ DEMO: '1' });
    const recording = await waitForSegments(server, 4);
    const folder = recordingFolder(server, recording);
    const [, deleted, overwritten] = listedFiles(folder);

    rmSync(join(folder, deleted!));
    await waitFor(
      () => !listedFiles(folder).includes(deleted!),
      NOTICED_MS,
      () => `${deleted} is still listed:\n${server!.logs().slice(-3000)}`,
    );
    expect((await recordingInfo(server, recording.id)).damage).toMatch(/deleted/);

    writeFileSync(join(folder, overwritten!), Buffer.alloc(statSync(join(folder, overwritten!)).size, 0xff));
    await waitFor(
      () => !listedFiles(folder).includes(overwritten!),
      NOTICED_MS,
      () => `${overwritten} is still listed:\n${server!.logs().slice(-3000)}`,
    );
    const damaged = await recordingInfo(server, recording.id);
    expect(damaged).toMatchObject({ status: 'recording' });
    expect(damaged.damage).toMatch(/2 segments lost/);

    // What is listed is there; the recording goes on.
    const listed = listedFiles(folder);
    expect(listed.filter((file) => !existsSync(join(folder, file)))).toEqual([]);
    await waitFor(
      () => listedFiles(folder).length > listed.length,
      10_000,
      () => 'the recording did not go on',
    );
    const { text } = readPlaylist(folder);
    expect(text).toContain('#EXT-X-DISCONTINUITY');
    expect(await server.stop()).toBe(0);
    expect(listedFiles(folder)).not.toContain(deleted);
    expect(listedFiles(folder)).not.toContain(overwritten);
  });

  it('fails a recording whose folder is removed while recording, saying so, and records the stage anew', async () => {
    server = await startServer({ DEMO: '1' });
    const recording = await waitForSegments(server, 2);
    // The recorder goes on writing into it meanwhile, so, as with rm -rf, it may take more than one go.
    const folder = recordingFolder(server, recording);
    await waitFor(() => {
      rmSync(folder, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
      return !existsSync(folder);
    }, NOTICED_MS);

    await waitFor(
      async () => (await recordingInfo(server!, recording.id)).status === 'failed',
      NOTICED_MS,
      () => `not noticed:\n${server!.logs().slice(-3000)}`,
    );
    const failed = await recordingInfo(server, recording.id);
    expect(failed.failureReason).toMatch(/folder .* was deleted/);
    expect(failed.damage).toMatch(/folder was deleted; \d+ segments? lost/);
    expect(failed.durationSeconds).toBe(0);
    await waitFor(
      () => readRecordings(server!.dataDir).some((found) => found.id !== recording.id && found.status === 'recording'),
      15_000,
      () => `no new recording: ${JSON.stringify(readRecordings(server!.dataDir))}`,
    );
  });
});
