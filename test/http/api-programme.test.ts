import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChapterMarkerInfo, ControlTalk, RecordingControl, StageOnAir, StageTalksResponse } from '../../shared/programmeControl.js';
import type { AuditLogResponse, ChaptersResponse, InviteResponse, RegistrationResponse } from '../../shared/protocol.js';
import { finishRecording, getRecording, startRecording } from '../../server/storage/recordings.js';
import { appendSegment } from '../../server/storage/recordingSegments.js';
import { listReplays, refreshTalkReplays } from '../../server/storage/replays.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { type Caller, expectError, programmeDocument } from '../integration/api-fixtures.js';

/** The event's stages are planned in Europe/Stockholm: 20 May is summer time, UTC+2. */
const DAY = '2026-05-20';
const utc = (clock: string) => `${DAY}T${clock}:00.000Z`;

/** Times are kept to the millisecond: two changes within one would make an empty window. */
const aMillisecondAfter = (iso: string) => waitFor(() => Date.now() > Date.parse(iso), 1_000);

describe('editing a stage’s programme and running it from the control room API', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  // programmeDocument's talks on the first stage; this file's talks go on the second, empty one.
  const stage = 'prog-b';

  beforeAll(async () => {
    server = await startApiServer(TECHNICIAN_ENV);
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    const document = programmeDocument('prog-day', 'public', ['prog-a', stage]);
    document.talks = document.talks.filter((talk) => talk.stageId !== stage);
    expect((await asTechnician('POST', '/api/programme', document)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  const talks = async () => (await asTechnician<StageTalksResponse>('GET', `/api/stages/${stage}/talks`)).body;
  const addTalk = async (title: string, start: string, end: string, extra: Record<string, unknown> = {}) => {
    const answer = await asTechnician<ControlTalk>('POST', `/api/stages/${stage}/talks`, { title, plannedStart: start, plannedEnd: end, ...extra });
    expect(answer.status, answer.text).toBe(201);
    return answer.body;
  };

  it('adds talks with wall-clock times read in the event’s time zone, or ISO times with a zone; speakers by name', async () => {
    const opening = await addTalk('Välkommen', `${DAY}T09:00`, `${DAY}T09:15`, {
      speakers: [{ name: 'Anna Berg', organisation: 'Region Västernorrland' }, { name: 'Lena Ek' }],
    });
    expect(opening).toMatchObject({ stageId: stage, kind: 'talk', description: '', plannedStart: utc('07:00'), plannedEnd: utc('07:15') });
    // Anna is the event's speaker from the programme; Lena is new.
    expect(opening.speakers.map(({ id, name }) => [id, name])).toEqual([
      ['prog-day-anna', 'Anna Berg'],
      [expect.any(String), 'Lena Ek'],
    ]);
    await addTalk('Huvudtalare', '2026-05-20T09:15:00+02:00', utc('08:00'), { description: 'Om folkhälsa.', kind: 'talk' });
    await addTalk('Kaffe', `${DAY}T10:00`, `${DAY}T10:20`, { kind: 'break' });

    const listed = await talks();
    expect(listed).toMatchObject({ stageId: stage, eventId: 'prog-day', timeZone: 'Europe/Stockholm' });
    expect(listed.talks.map((talk) => [talk.title, talk.plannedStart, talk.plannedEnd])).toEqual([
      ['Välkommen', utc('07:00'), utc('07:15')],
      ['Huvudtalare', utc('07:15'), utc('08:00')],
      ['Kaffe', utc('08:00'), utc('08:20')],
    ]);
    // The public programme shows them too.
    const programme = await anonymous<{ stages: { id: string; talks: { title: string }[] }[] }>('GET', '/api/events/prog-day');
    expect(programme.body.stages.find((found) => found.id === stage)?.talks.map((talk) => talk.title)).toEqual(['Välkommen', 'Huvudtalare', 'Kaffe']);
  });

  it('refuses a talk that overlaps another on the stage, ends before it starts, or has bad fields, changing nothing', async () => {
    const before = snapshotDatabase(server.dataDir);
    expectError(
      await asTechnician('POST', `/api/stages/${stage}/talks`, { title: 'Krock', plannedStart: `${DAY}T09:10`, plannedEnd: `${DAY}T09:30` }),
      409,
      'conflict',
      'Välkommen',
    );
    expectError(
      await asTechnician('POST', `/api/stages/${stage}/talks`, { title: 'Baklänges', plannedStart: `${DAY}T12:00`, plannedEnd: `${DAY}T11:00` }),
      400,
      'invalid_payload',
      'plannedEnd',
    );
    expectError(
      await asTechnician('POST', `/api/stages/${stage}/talks`, { title: 'Fel', plannedStart: '20 May 9:00', plannedEnd: `${DAY}T11:00` }),
      400,
      'invalid_payload',
      'plannedStart',
    );
    expectError(
      await asTechnician('POST', `/api/stages/${stage}/talks`, { title: '', plannedStart: `${DAY}T12:00`, plannedEnd: `${DAY}T13:00` }),
      400,
      'invalid_payload',
      'title',
    );
    expectError(
      await asTechnician('POST', `/api/stages/${stage}/talks`, { title: 'X', plannedStart: `${DAY}T12:00`, plannedEnd: `${DAY}T13:00`, room: 'A' }),
      400,
      'invalid_payload',
      'room',
    );
    expectError(
      await asTechnician('POST', '/api/stages/no-such-stage/talks', { title: 'X', plannedStart: `${DAY}T12:00`, plannedEnd: `${DAY}T13:00` }),
      404,
      'not_found',
    );
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('edits a talk: times in the event’s zone, speakers replaced; refuses an overlap and an unknown talk', async () => {
    const keynote = (await talks()).talks[1]!;
    const edited = await asTechnician<ControlTalk>('PATCH', `/api/talks/${keynote.id}`, {
      title: 'Huvudtalare: Anna Berg',
      plannedEnd: `${DAY}T09:50`,
      speakers: [{ name: 'anna berg', organisation: 'region västernorrland' }],
    });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ title: 'Huvudtalare: Anna Berg', plannedStart: utc('07:15'), plannedEnd: utc('07:50'), description: 'Om folkhälsa.' });
    // The same speaker whatever the case they were typed in.
    expect(edited.body.speakers.map((speaker) => speaker.id)).toEqual(['prog-day-anna']);

    expectError(await asTechnician('PATCH', `/api/talks/${keynote.id}`, { plannedEnd: `${DAY}T10:05` }), 409, 'conflict', 'Kaffe');
    expectError(await asTechnician('PATCH', `/api/talks/${keynote.id}`, {}), 400, 'invalid_payload');
    expectError(await asTechnician('PATCH', `/api/talks/${keynote.id}`, { stageId: 'prog-a' }), 400, 'invalid_payload', 'stageId');
    expectError(await asTechnician('PATCH', '/api/talks/no-such-talk', { title: 'X' }), 404, 'not_found');
    expect((await talks()).talks[1]?.plannedEnd).toBe(utc('07:50'));
  });

  it('reorders the talks: each keeps its length, the slots and gaps stay where they were', async () => {
    const [opening, keynote, coffee] = (await talks()).talks;
    const reordered = await asTechnician<StageTalksResponse>('PUT', `/api/stages/${stage}/talk-order`, { talkIds: [keynote!.id, opening!.id, coffee!.id] });
    expect(reordered.status, reordered.text).toBe(200);
    // Keynote 35 min from 09:00, the opening 15 min after it, then the 10-minute gap before the coffee.
    expect(reordered.body.talks.map((talk) => [talk.id, talk.plannedStart, talk.plannedEnd])).toEqual([
      [keynote!.id, utc('07:00'), utc('07:35')],
      [opening!.id, utc('07:35'), utc('07:50')],
      [coffee!.id, utc('08:00'), utc('08:20')],
    ]);
    const order = reordered.body.talks.map((talk) => talk.id);
    expectError(await asTechnician('PUT', `/api/stages/${stage}/talk-order`, { talkIds: order.slice(1) }), 400, 'invalid_payload', 'every talk');
    expectError(await asTechnician('PUT', `/api/stages/${stage}/talk-order`, { talkIds: [order[0], order[0], order[1]] }), 400, 'invalid_payload', 'twice');
    expectError(
      await asTechnician('PUT', `/api/stages/${stage}/talk-order`, { talkIds: ['prog-day-opening', order[1], order[2]] }),
      400,
      'invalid_payload',
      'prog-day-opening',
    );
    expect((await talks()).talks.map((talk) => talk.id)).toEqual(order);
  });

  it('sets a talk on air and moves to the next in one action: each talk’s replay is its time on air, pushed to the stage', async () => {
    const [first, second, coffee] = (await talks()).talks;
    const recording = startRecording(server.db, stage);
    server.onAirPushes.length = 0;

    const onAir = await asTechnician<StageOnAir>('PUT', `/api/stages/${stage}/on-air`, { talkId: first!.id });
    expect(onAir.status, onAir.text).toBe(200);
    expect(onAir.body).toMatchObject({ stageId: stage, talk: { id: first!.id, title: first!.title }, since: expect.any(String), next: { id: second!.id } });
    expect((await anonymous<StageOnAir>('GET', `/api/stages/${stage}/on-air`)).body).toEqual(onAir.body);

    await aMillisecondAfter(onAir.body.since!);
    const next = await asTechnician<StageOnAir>('POST', `/api/stages/${stage}/on-air/next`);
    expect(next.status, next.text).toBe(200);
    expect(next.body).toMatchObject({ talk: { id: second!.id }, next: { id: coffee!.id } });
    expect(server.onAirPushes.map((pushed) => pushed.talk?.id)).toEqual([first!.id, second!.id]);

    // The first talk's replay is its time on air, though the plan had it later.
    const [replay] = listReplays(server.db, { recordingId: recording.id });
    expect(replay).toMatchObject({ talkId: first!.id, inAt: onAir.body.since, outAt: next.body.since });

    // The second talk is still on air when the recording ends: its replay ends with it.
    await aMillisecondAfter(next.body.since!);
    finishRecording(server.db, recording.id, { status: 'complete' });
    refreshTalkReplays(server.db, recording.id);
    const replays = listReplays(server.db, { recordingId: recording.id });
    const ended = getRecording(server.db, recording.id)!.endedAt;
    expect(replays.map((found) => [found.talkId, found.inAt, found.outAt])).toEqual([
      [first!.id, onAir.body.since, next.body.since],
      [second!.id, next.body.since, ended],
    ]);
    // The talk on air is what questions go to (the coffee break planned now would not be).
    expect((await asTechnician<StageTalksResponse>('GET', `/api/stages/${stage}/talks`)).body.onAir.talk?.id).toBe(second!.id);
  });

  it('refuses to move past the last talk, a talk of another stage, and deleting the talk on air or one with a replay', async () => {
    const [first, second, coffee] = (await talks()).talks;
    expectError(await asTechnician('PUT', `/api/stages/${stage}/on-air`, { talkId: 'prog-day-opening' }), 400, 'invalid_payload', 'prog-day-opening');
    expect((await asTechnician('POST', `/api/stages/${stage}/on-air/next`)).status).toBe(200);
    expectError(await asTechnician('POST', `/api/stages/${stage}/on-air/next`), 409, 'conflict', coffee!.title);
    expectError(await asTechnician('DELETE', `/api/talks/${coffee!.id}`), 409, 'conflict', 'on air');
    expectError(await asTechnician('DELETE', `/api/talks/${first!.id}`), 409, 'conflict', 'replay');

    const off = await asTechnician<StageOnAir>('PUT', `/api/stages/${stage}/on-air`, { talkId: null });
    expect(off.body).toMatchObject({ talk: null, since: null });
    expect((await asTechnician('DELETE', `/api/talks/${coffee!.id}`)).status).toBe(204);
    expect((await talks()).talks.map((talk) => talk.id)).toEqual([first!.id, second!.id]);
    expectError(await asTechnician('DELETE', `/api/talks/${coffee!.id}`), 404, 'not_found');
  });

  it('stops and starts recording apart from going live, sets chapter markers that become chapters, and shows the disk', async () => {
    const state = await asTechnician<RecordingControl>('GET', `/api/stages/${stage}/recording`);
    expect(state.status, state.text).toBe(200);
    expect(state.body).toMatchObject({ stageId: stage, recorded: true, current: null });
    expect(state.body.disk?.totalBytes).toBeGreaterThan(0);
    expect(state.body.disk?.freeBytes).toBeGreaterThan(0);
    expect(state.body.disk!.freeBytes).toBeLessThanOrEqual(state.body.disk!.totalBytes);

    const stopped = await asTechnician<RecordingControl>('PUT', `/api/stages/${stage}/recording`, { recorded: false });
    expect(stopped.body.recorded).toBe(false);
    expect(server.recordingControl.isRecorded(stage)).toBe(false);
    expect((await asTechnician<RecordingControl>('PUT', `/api/stages/${stage}/recording`, { recorded: true })).body.recorded).toBe(true);
    expectError(await asTechnician('PUT', `/api/stages/${stage}/recording`, { recorded: 'yes' }), 400, 'invalid_payload', 'recorded');

    expectError(await asTechnician('POST', `/api/stages/${stage}/chapter-markers`, {}), 409, 'conflict', 'not being recorded');
    const recording = startRecording(server.db, stage);
    for (let index = 0; index < 10; index++) {
      appendSegment(server.db, {
        recordingId: recording.id,
        file: `r001-${index}.ts`,
        durationSeconds: 1,
        programDateTime: new Date(Date.parse(recording.startedAt) + index * 1000).toISOString(),
        discontinuity: false,
        sizeBytes: 1000,
      });
    }
    const marker = await asTechnician<ChapterMarkerInfo>('POST', `/api/stages/${stage}/chapter-markers`, { title: 'Frågestund' });
    expect(marker.status, marker.text).toBe(201);
    expect(marker.body).toMatchObject({ recordingId: recording.id, title: 'Frågestund', at: expect.any(String) });
    expect((await asTechnician('POST', `/api/stages/${stage}/chapter-markers`, {})).status).toBe(201);
    expect((await asTechnician<RecordingControl>('GET', `/api/stages/${stage}/recording`)).body.current?.markers.map((found) => found.title)).toEqual([
      'Frågestund',
      '',
    ]);

    const chapters = await anonymous<ChaptersResponse>('GET', `/api/recordings/${recording.id}/chapters`);
    expect(chapters.body.chapters.filter((chapter) => chapter.kind === 'marker').map((chapter) => chapter.title)).toEqual(['Frågestund', '']);
    expectError(await asTechnician('POST', `/api/stages/${stage}/chapter-markers`, { title: 'x'.repeat(201) }), 400, 'invalid_payload', 'title');
  });

  it('refuses every programme and recording action to anonymous callers, viewers and speakers, changing nothing', async () => {
    const registration = await anonymous<RegistrationResponse>('POST', '/api/registrations', { eventId: 'prog-day', name: 'Lena', email: 'lena@example.se' });
    const invite = await asTechnician<InviteResponse>('POST', `/api/stages/${stage}/invites`, { label: 'Anna' });
    expect([registration.status, invite.status]).toEqual([201, 201]);
    const talkId = (await talks()).talks[0]!.id;
    const callers: Record<string, Caller> = {
      anonymous,
      viewer: injectCaller(server, { 'x-estrad-access': registration.body.token, cookie: `estrad_access=${registration.body.token}` }),
      speaker: injectCaller(server, { 'x-estrad-invite': invite.body.token }),
    };
    const actions: [string, string, unknown?][] = [
      ['GET', `/api/stages/${stage}/talks`],
      ['POST', `/api/stages/${stage}/talks`, { title: 'Intrång', plannedStart: `${DAY}T15:00`, plannedEnd: `${DAY}T16:00` }],
      ['PATCH', `/api/talks/${talkId}`, { title: 'Övertagen' }],
      ['DELETE', `/api/talks/${talkId}`],
      ['PUT', `/api/stages/${stage}/talk-order`, { talkIds: [talkId] }],
      ['PUT', `/api/stages/${stage}/on-air`, { talkId }],
      ['POST', `/api/stages/${stage}/on-air/next`],
      ['GET', `/api/stages/${stage}/recording`],
      ['PUT', `/api/stages/${stage}/recording`, { recorded: false }],
      ['POST', `/api/stages/${stage}/chapter-markers`, {}],
    ];
    const before = snapshotDatabase(server.dataDir);
    for (const [who, caller] of Object.entries(callers)) {
      for (const [method, path, body] of actions) {
        const answer = await caller(method, path, body);
        expect({ who, method, path, status: answer.status }).toEqual({ who, method, path, status: 401 });
        expectError(answer, 401, 'unauthorized');
      }
    }
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('refuses a programme change from another site, and writes each one carried out to the audit log', async () => {
    const talkId = (await talks()).talks[0]!.id;
    const before = snapshotDatabase(server.dataDir);
    expectError(
      await asTechnician('PATCH', `/api/talks/${talkId}`, { title: 'Från en annan sajt' }, { origin: 'https://evil.example' }),
      403,
      'forbidden',
      'another site',
    );
    expectError(await asTechnician('POST', `/api/stages/${stage}/on-air/next`, undefined, { 'sec-fetch-site': 'cross-site' }), 403, 'forbidden');
    expectError(await asTechnician('PUT', `/api/stages/${stage}/recording`, { recorded: false }, { origin: 'https://evil.example' }), 403, 'forbidden');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);

    expect((await asTechnician('PATCH', `/api/talks/${talkId}`, { title: 'Välkommen åter' })).status).toBe(200);
    expect((await asTechnician('PUT', `/api/stages/${stage}/on-air`, { talkId })).status).toBe(200);
    const log = await asTechnician<AuditLogResponse>('GET', '/api/audit-log?limit=2');
    expect(log.body.entries.map(({ username, action, subject, status }) => ({ username, action, subject, status }))).toEqual([
      { username: 'tech', action: 'PUT /api/stages/:stageId/on-air', subject: { stageId: stage }, status: 200 },
      { username: 'tech', action: 'PATCH /api/talks/:talkId', subject: { talkId }, status: 200 },
    ]);
  });
});
