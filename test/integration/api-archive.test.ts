import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse, ArchiveResponse } from '../../shared/protocol.js';
import { prepareRecordedReplays, type RecordedReplay } from '../helpers/recordedReplay.js';
import { type RunningServer, startServer } from '../helpers/server.js';

describe('GET /api/archive', () => {
  let server: RunningServer;
  let youth: RecordedReplay;
  let elderly: RecordedReplay;

  beforeAll(async () => {
    const folders = prepareRecordedReplays([
      { eventId: 'dag-ett', stageId: 'stora', visibility: 'public', talk: { title: 'Barns och ungas psykiska hälsa', speakers: ['Ahmed Karimi'] } },
      {
        eventId: 'dag-tva',
        stageId: 'lilla',
        visibility: 'public',
        talk: { title: 'Ensamhet bland äldre', description: 'Om skyddsfaktorer', speakers: ['Eva Sundberg'] },
      },
      { eventId: 'stangd-dag', stageId: 'stangd', visibility: 'private', talk: { title: 'Intern genomgång', speakers: ['Ahmed Karimi'] } },
    ]);
    [youth, elderly] = folders.replays as [RecordedReplay, RecordedReplay];
    server = await startServer({ DATA_DIR: folders.dataDir, RECORDINGS_DIR: folders.recordingsDir });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  async function archive(query: string): Promise<ArchiveResponse> {
    const response = await fetch(`${server.url}/api/archive${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as ArchiveResponse;
  }

  it('lists the replays of public events with their talk, speakers, stage and event, and not a private event’s', async () => {
    const { replays } = await archive('');
    expect(replays.map((replay) => replay.id).sort()).toEqual([youth.replayId, elderly.replayId].sort());
    expect(replays.find((replay) => replay.id === elderly.replayId)).toMatchObject({
      title: 'Ensamhet bland äldre',
      description: 'Om skyddsfaktorer',
      speakers: [{ name: 'Eva Sundberg', organisation: '' }],
      stage: 'lilla',
      stageTitle: 'Stora salen',
      eventId: 'dag-tva',
      playlistUrl: `/api/replays/${elderly.replayId}/playlist.m3u8`,
    });
  });

  it('finds a talk by its speaker’s name, by description, and filters by event and stage', async () => {
    expect((await archive('?q=karimi')).replays.map((replay) => replay.id)).toEqual([youth.replayId]);
    expect((await archive('?q=skyddsfaktorer')).replays.map((replay) => replay.id)).toEqual([elderly.replayId]);
    expect((await archive('?event=dag-tva')).replays.map((replay) => replay.id)).toEqual([elderly.replayId]);
    expect((await archive('?stage=stora&q=halsa')).replays.map((replay) => replay.id)).toEqual([youth.replayId]);
    expect((await archive('?stage=lilla&q=karimi')).replays).toEqual([]);
  });

  it('answers a bad filter with invalid_payload', async () => {
    for (const query of ['?stage=Not%20a%20stage', `?q=${'x'.repeat(201)}`, '?sort=title']) {
      const response = await fetch(`${server.url}/api/archive${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as ApiErrorResponse).error.code).toBe('invalid_payload');
    }
  });
});
