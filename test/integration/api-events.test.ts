import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessResponse, EventProgrammeResponse, EventsResponse } from '../../shared/protocol.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { connect, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { apiCaller, type Caller, expectError, programmeDocument } from './api-fixtures.js';

describe('events, programmes, stages, access codes and attendance over HTTP', () => {
  let server: RunningServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  const openDay = programmeDocument('open-day', 'public', ['open-a', 'open-b']);
  const closedDay = programmeDocument('closed-day', 'private', ['closed-a', 'closed-b']);

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV });
    asTechnician = apiCaller(server, { cookie: (await technicianClient(server)).cookie });
    anonymous = apiCaller(server);
    for (const document of [openDay, closedDay]) {
      const imported = await asTechnician('POST', '/api/programme', document);
      expect(imported.status, imported.text).toBe(201);
      expect(imported.body).toEqual({ eventId: document.event.id, eventCreated: true, stages: 2, speakers: 2, talks: 3 });
    }
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('refuses every technician route without a session and with a forged one, changing nothing', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/events/open-day/programme'],
      ['PUT', '/api/events/open-day/programme', openDay],
      ['POST', '/api/programme', programmeDocument('sneaky-day', 'public', ['sneaky-a', 'sneaky-b'])],
      ['POST', '/api/events/open-day/stages', { id: 'sneaky', title: 'Sneaky' }],
      ['PUT', '/api/events/closed-day/access-code', { code: 'hijacked' }],
      ['GET', '/api/events/closed-day/registrations.csv'],
      ['GET', '/api/events/open-day/attendance'],
      ['POST', '/api/stages/open-a/invites', { label: 'me' }],
      ['GET', '/api/stages/open-a/invites'],
      ['DELETE', '/api/invites/0b6c3f2e-8d1e-4c39-9a4c-3f0d6a2b9e11'],
      ['GET', '/api/stages/open-a/questions'],
    ];
    const forged = apiCaller(server, { cookie: 'estrad_session=forged-session-token-0123456789' });
    const before = snapshotDatabase(server.dataDir);
    for (const [method, path, body] of routes) {
      for (const caller of [anonymous, forged]) expectError(await caller(method, path, body), 401, 'unauthorized');
    }
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('lists events with their stages, publicly', async () => {
    const { status, body } = await anonymous<EventsResponse>('GET', '/api/events');
    expect(status).toBe(200);
    expect(body.events.find((event) => event.id === 'closed-day')).toEqual({
      id: 'closed-day',
      title: 'Event closed-day',
      description: 'En dag om folkhälsa.',
      organiser: 'Sundsvalls kommun',
      timeZone: 'Europe/Stockholm',
      language: 'sv',
      visibility: 'private',
      hasAccessCode: false,
      stages: [
        { id: 'closed-a', title: 'Stora salen' },
        { id: 'closed-b', title: 'Lilla salen' },
      ],
    });
    expect(body.events.map((event) => event.id)).toEqual(expect.arrayContaining(['open-day', 'closed-day']));
  });

  it('shows an event’s public programme: stages with their talks and speakers', async () => {
    const { status, body } = await anonymous<EventProgrammeResponse>('GET', '/api/events/open-day');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'open-day', visibility: 'public', hasAccessCode: false });
    expect(body.stages.map((stage) => [stage.id, stage.talks.map((talk) => talk.title)])).toEqual([
      ['open-a', ['Öppning', 'Panelsamtal']],
      ['open-b', ['Workshop']],
    ]);
    const [opening, panel] = openDay.talks;
    expect(body.stages[0]!.talks[1]).toEqual({
      id: panel!.id,
      title: 'Panelsamtal',
      description: '',
      kind: 'panel',
      plannedStart: panel!.plannedStart,
      plannedEnd: panel!.plannedEnd,
      speakers: [
        { name: 'Omar Haddad', organisation: 'Sundsvalls kommun' },
        { name: 'Anna Berg', organisation: 'Region Västernorrland' },
      ],
    });
    expect(body.stages[0]!.talks[0]!.plannedStart).toBe(opening!.plannedStart);
    // Speakers' bios and internal ids are not part of the public programme.
    expect(JSON.stringify(body)).not.toContain('Folkhälsostrateg.');

    expectError(await anonymous('GET', '/api/events/no-such-day'), 404, 'not_found', 'no-such-day');
    expectError(await anonymous('GET', '/api/events/Not_A_Slug'), 400, 'invalid_payload', 'eventId');
  });

  it('exports a programme and imports it back with changes (PUT), and exports what it imported', async () => {
    const exported = await asTechnician('GET', '/api/events/open-day/programme');
    expect(exported.status).toBe(200);
    expect(exported.body).toEqual(openDay);

    const edited = structuredClone(openDay);
    edited.event.title = 'Öppen dag – nytt namn';
    edited.talks[0]!.title = 'Öppning och välkomnande';
    edited.talks.pop(); // the workshop is cancelled
    // Long texts take the document past the 64 kB other routes accept; programmes may have up to 1 MB.
    edited.speakers = edited.speakers.map((speaker) => ({ ...speaker, bio: 'b'.repeat(9_999) }));
    const extras = Array.from({ length: 8 }, (_, index) => ({
      ...edited.talks[1]!,
      id: `open-day-extra-${index}`,
      position: 1,
      description: 'd'.repeat(9_999),
    }));
    edited.talks.push(...extras);
    expect(JSON.stringify(edited).length).toBeGreaterThan(64 * 1024);

    const put = await asTechnician('PUT', '/api/events/open-day/programme', edited);
    expect(put.status, put.text).toBe(200);
    expect(put.body).toEqual({ eventId: 'open-day', eventCreated: false, stages: 2, speakers: 2, talks: 10 });
    expect((await asTechnician('GET', '/api/events/open-day/programme')).body).toEqual(edited);
    expect((await anonymous<EventProgrammeResponse>('GET', '/api/events/open-day')).body.title).toBe('Öppen dag – nytt namn');

    const back = await asTechnician('PUT', '/api/events/open-day/programme', openDay);
    expect(back.status, back.text).toBe(200);
    expect((await asTechnician('GET', '/api/events/open-day/programme')).body).toEqual(openDay);
    expectError(await asTechnician('GET', '/api/events/no-such-day/programme'), 404, 'not_found');
  });

  it('refuses bad programme imports with the field at fault, changing nothing', async () => {
    const before = snapshotDatabase(server.dataDir);
    const otherEvent = { ...openDay, event: { ...openDay.event, id: 'closed-day' } };
    expectError(await asTechnician('PUT', '/api/events/open-day/programme', otherEvent), 400, 'invalid_payload', 'event.id', 'open-day');

    const backwards = structuredClone(openDay);
    backwards.talks[2]!.plannedEnd = backwards.talks[2]!.plannedStart;
    expectError(await asTechnician('PUT', '/api/events/open-day/programme', backwards), 400, 'invalid_payload', 'talks[2].plannedEnd');

    const missingStage = { ...openDay, stages: openDay.stages.slice(0, 1), talks: openDay.talks.slice(0, 2) };
    expectError(await asTechnician('PUT', '/api/events/open-day/programme', missingStage), 400, 'invalid_payload', 'open-b');

    const stolenStage = programmeDocument('thief-day', 'public', ['closed-a', 'thief-b']);
    expectError(await asTechnician('POST', '/api/programme', stolenStage), 400, 'invalid_payload', 'stages[0].id', 'closed-day');
    expectError(await asTechnician('POST', '/api/programme', { format: 'something-else' }), 400, 'invalid_payload', 'format');
    expectError(await asTechnician('POST', '/api/programme', openDay), 409, 'conflict', 'open-day');
    expectError(await asTechnician('PUT', '/api/events/new-day/programme', programmeDocument('new-day', 'public', ['new-a', 'new-b'])), 404, 'not_found');
    expectError(await asTechnician('PUT', '/api/events/open-day/programme', { ...openDay, padding: 'p'.repeat(1_100_000) }), 413, 'payload_too_large');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('adds a stage to an event, refusing taken ids and bad input', async () => {
    const created = await asTechnician('POST', '/api/events/open-day/stages', { id: 'open-c', title: 'Foajén' });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ id: 'open-c', eventId: 'open-day', title: 'Foajén', position: 2 });
    const { body } = await anonymous<EventsResponse>('GET', '/api/events');
    expect(body.events.find((event) => event.id === 'open-day')!.stages.map((stage) => stage.id)).toEqual(['open-a', 'open-b', 'open-c']);
    const { stages } = (await (await fetch(`${server.url}/api/stages`)).json()) as { stages: { id: string }[] };
    expect(stages.map((stage) => stage.id)).toContain('open-c');

    const before = snapshotDatabase(server.dataDir);
    expectError(await asTechnician('POST', '/api/events/open-day/stages', { id: 'open-c', title: 'Again' }), 409, 'conflict', 'open-c');
    expectError(await asTechnician('POST', '/api/events/closed-day/stages', { id: 'open-a', title: 'Elsewhere' }), 409, 'conflict');
    expectError(await asTechnician('POST', '/api/events/open-day/stages', { id: 'open-d' }), 400, 'invalid_payload', 'title');
    expectError(await asTechnician('POST', '/api/events/open-day/stages', { id: 'Open D', title: 'D' }), 400, 'invalid_payload', 'id');
    expectError(await asTechnician('POST', '/api/events/open-day/stages', { id: 'open-d', title: 'D', eventId: 'closed-day' }), 400, 'invalid_payload');
    expectError(await asTechnician('POST', '/api/events/no-such-day/stages', { id: 'open-d', title: 'D' }), 404, 'not_found');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('lets viewers into a private event with its access code: wrong code 403, right code a pass that works', async () => {
    const before = snapshotDatabase(server.dataDir);
    expectError(await anonymous('POST', '/api/events/closed-day/access', { code: 'anything' }), 403, 'forbidden', 'no access code');
    expectError(await asTechnician('PUT', '/api/events/closed-day/access-code', { code: 'abc' }), 400, 'invalid_payload', 'code');
    expectError(await asTechnician('PUT', '/api/events/closed-day/access-code', {}), 400, 'invalid_payload', 'code');
    expectError(await asTechnician('PUT', '/api/events/no-such-day/access-code', { code: 'kod-2026' }), 404, 'not_found');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);

    expect((await asTechnician('PUT', '/api/events/closed-day/access-code', { code: 'kod-2026' })).status).toBe(204);
    const { body: listing } = await anonymous<EventsResponse>('GET', '/api/events');
    expect(listing.events.find((event) => event.id === 'closed-day')!.hasAccessCode).toBe(true);

    expectError(await anonymous('POST', '/api/events/closed-day/access', { code: 'kod-2025' }), 403, 'forbidden', 'wrong access code');
    expectError(await anonymous('POST', '/api/events/closed-day/access', { code: '' }), 400, 'invalid_payload', 'code');
    expectError(await anonymous('POST', '/api/events/no-such-day/access', { code: 'kod-2026' }), 404, 'not_found');
    const granted = await anonymous<AccessResponse>('POST', '/api/events/closed-day/access', { code: 'kod-2026' });
    expect(granted.status, granted.text).toBe(200);
    const expiresIn = Date.parse(granted.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(23.9 * 3_600_000);
    expect(expiresIn).toBeLessThanOrEqual(24 * 3_600_000);

    const withPass = await connect(server.url, { access: granted.body.pass });
    expect(await request(withPass, 'stage:join', { stageId: 'closed-b', role: 'viewer' })).toMatchObject({ ok: true });
    // A viewer pass never lets anyone speak.
    expect(await request(withPass, 'stage:join', { stageId: 'closed-a', role: 'speaker' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    withPass.disconnect();
    const withoutPass = await connect(server.url);
    expect(await request(withoutPass, 'stage:join', { stageId: 'closed-b', role: 'viewer' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    withoutPass.disconnect();

    expect((await asTechnician('PUT', '/api/events/closed-day/access-code', { code: null })).status).toBe(204);
    expectError(await anonymous('POST', '/api/events/closed-day/access', { code: 'kod-2026' }), 403, 'forbidden');
  });

  it('reports attendance per talk, counting a viewer watching now', async () => {
    const empty = await asTechnician<AttendanceAnswer>('GET', '/api/events/open-day/attendance');
    expect(empty.status).toBe(200);
    expect(empty.body.talks.map((talk) => [talk.talkId, talk.uniqueViewers])).toEqual(openDay.talks.map((talk) => [talk.id, 0]));

    const viewer = await connect(server.url, { viewerKey: 'attendance-test-viewer' });
    expect(await request(viewer, 'stage:join', { stageId: 'open-a', role: 'viewer' })).toMatchObject({ ok: true });
    const watching = await asTechnician<AttendanceAnswer>('GET', '/api/events/open-day/attendance');
    viewer.disconnect();
    expect(watching.body.talks[0]).toMatchObject({
      talkId: 'open-day-opening',
      stageId: 'open-a',
      title: 'Öppning',
      peakConcurrentViewers: 1,
      uniqueViewers: 1,
    });
    expect(watching.body.talks.slice(1).map((talk) => talk.uniqueViewers)).toEqual([0, 0]);
    expectError(await asTechnician('GET', '/api/events/no-such-day/attendance'), 404, 'not_found');
  });

  it('links each talk of the attendance report to its questions and poll results, which those links export', async () => {
    const asked = await anonymous('POST', '/api/stages/open-a/questions', { text: 'Hur mäter ni folkhälsan?' });
    expect(asked.status, asked.text).toBe(201);
    const { body } = await asTechnician<AttendanceAnswer>('GET', '/api/events/open-day/attendance');
    const opening = body.talks.find((talk) => talk.talkId === 'open-day-opening')!;
    expect(opening.audienceExports).toEqual({
      questionsCsv: '/api/talks/open-day-opening/questions.csv',
      questionsJson: '/api/talks/open-day-opening/questions.json',
      pollsCsv: '/api/talks/open-day-opening/polls.csv',
      pollsJson: '/api/talks/open-day-opening/polls.json',
    });
    const { questionsCsv, questionsJson, pollsCsv, pollsJson } = opening.audienceExports;
    const [questionRows, questionList, pollRows, pollList] = await Promise.all(
      [questionsCsv, questionsJson, pollsCsv, pollsJson].map((path) => asTechnician('GET', path)),
    );
    expect([questionRows, questionList, pollRows, pollList].map((answer) => answer!.status)).toEqual([200, 200, 200, 200]);
    expect(questionRows!.text).toContain('Hur mäter ni folkhälsan?');
    expect(questionList!.body).toMatchObject({ talkId: 'open-day-opening', questions: [{ text: 'Hur mäter ni folkhälsan?', status: 'pending' }] });
    expect(pollRows!.text).toContain('poll_id,question,choice');
    expect(pollList!.body).toMatchObject({ talkId: 'open-day-opening', polls: [] });
  });
});

interface AttendanceAnswer {
  talks: { talkId: string; uniqueViewers: number; audienceExports: Record<'questionsCsv' | 'questionsJson' | 'pollsCsv' | 'pollsJson', string> }[];
}
