import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingDirectory } from '../../server/recording/layout.js';
import { RecordingRetention } from '../../server/recording/retention.js';
import { finishRecording, startRecording } from '../../server/storage/recordings.js';
import { appendSegment } from '../../server/storage/recordingSegments.js';
import { refreshTalkReplays } from '../../server/storage/replays.js';
import { DEMO_STAGE_ID, seedDemoEvent } from '../../server/storage/seed.js';
import { stageRetention } from '../../server/storage/stages.js';
import type { ArchiveResponse, RecordingInfo } from '../../shared/protocol.js';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { type Caller, expectError, programmeDocument } from '../integration/api-fixtures.js';

const HOUR = 3_600_000;

describe('a stage’s retention rule deletes its recordings once they are older than the rule, and keeps the others', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  let recordingsDir: string;
  const now = new Date();
  const at = (hours: number) => new Date(now.getTime() + hours * HOUR);

  /** A finished recording of stage open-a from `from` to `to` hours from now, with a segment file and the replays of its talks. */
  function recorded(from: number, to: number) {
    const recording = startRecording(server.db, 'open-a', at(from));
    const folder = recordingDirectory(recordingsDir, 'open-a', recording.id);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'r000-00000.ts'), Buffer.alloc(188));
    appendSegment(server.db, {
      recordingId: recording.id,
      file: 'r000-00000.ts',
      programDateTime: at(from).toISOString(),
      durationSeconds: 4,
      sizeBytes: 188,
      discontinuity: false,
    });
    finishRecording(server.db, recording.id, { status: 'complete' }, at(to));
    refreshTalkReplays(server.db, recording.id, now);
    return { id: recording.id, folder };
  }

  beforeAll(async () => {
    server = await startApiServer(TECHNICIAN_ENV);
    recordingsDir = join(server.dataDir, '..', 'recordings');
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    const document = programmeDocument('open-day', 'public', ['open-a', 'open-b']);
    const talk = document.talks[0]!;
    document.talks = [
      { ...talk, id: 'yesterday', title: 'Gårdagens föredrag', plannedStart: at(-30).toISOString(), plannedEnd: at(-28).toISOString() },
      { ...talk, id: 'today', title: 'Dagens föredrag', plannedStart: at(-3).toISOString(), plannedEnd: at(-2).toISOString(), position: 1 },
    ];
    expect((await asTechnician('POST', '/api/programme', document)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('deletes a recording older than the rule (rows, files, replays): the archive no longer lists it; a newer one is kept', async () => {
    const old = recorded(-31, -27);
    const recent = recorded(-4, -1);
    const archived = async () => (await anonymous<ArchiveResponse>('GET', '/api/archive')).body.replays.map((replay) => replay.title);
    expect(await archived()).toEqual(expect.arrayContaining(['Gårdagens föredrag', 'Dagens föredrag']));

    expect(stageRetention(server.db, 'open-a')).toBeNull();
    const set = await asTechnician('PUT', '/api/stages/open-a/retention', { hours: 24 });
    expect(set.status, set.text).toBe(200);
    expect((await asTechnician('GET', '/api/stages/open-a/retention')).body).toEqual({ stageId: 'open-a', hours: 24 });

    const deleted = new RecordingRetention({ db: server.db, recordingsDir, logger: pino({ level: 'silent' }) }).sweep(now);
    expect(deleted.map((recording) => recording.id)).toEqual([old.id]);

    expect(existsSync(old.folder)).toBe(false);
    expect(existsSync(recent.folder)).toBe(true);
    const recordings = (await anonymous<{ recordings: RecordingInfo[] }>('GET', '/api/recordings')).body.recordings.map((recording) => recording.id);
    expect(recordings).toEqual([recent.id]);
    expectError(await anonymous('GET', `/api/recordings/${old.id}`), 404, 'not_found');
    expect(await archived()).toEqual(['Dagens föredrag']);
    const rows = (table: string) => server.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE recording_id = ?`).get(old.id) as { n: number };
    expect([rows('recording_segments').n, rows('talk_replays').n]).toEqual([0, 0]);

    // The newer one goes too once it is older than the rule, and not before.
    expect(new RecordingRetention({ db: server.db, recordingsDir, logger: pino({ level: 'silent' }) }).sweep(at(22)).map((r) => r.id)).toEqual([]);
    expect(new RecordingRetention({ db: server.db, recordingsDir, logger: pino({ level: 'silent' }) }).sweep(at(23)).map((r) => r.id)).toEqual([recent.id]);
  });

  it('lets only technicians set the rule, and refuses a bad one', async () => {
    expectError(await anonymous('PUT', '/api/stages/open-b/retention', { hours: 1 }), 401, 'unauthorized');
    expectError(await asTechnician('PUT', '/api/stages/open-b/retention', { hours: 0 }), 400, 'invalid_payload', 'hours');
    expectError(await asTechnician('PUT', '/api/stages/open-b/retention', { hours: 1.5 }), 400, 'invalid_payload', 'hours');
    expectError(await asTechnician('PUT', '/api/stages/no-such-stage/retention', { hours: 1 }), 404, 'not_found');
    expect((await asTechnician('PUT', '/api/stages/open-b/retention', { hours: null })).body).toEqual({ stageId: 'open-b', hours: null });
  });

  it('keeps the demo stage’s recordings for 24 hours in a fresh installation', async () => {
    const fresh = await startApiServer();
    try {
      expect(seedDemoEvent(fresh.db)).toBe(true);
      expect(stageRetention(fresh.db, DEMO_STAGE_ID)).toBe(24);
    } finally {
      await fresh.close();
    }
  });
});
