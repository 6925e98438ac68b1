import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listQuestions } from '../../server/storage/questions.js';
import type { ModeratorQuestionBoard, Poll, PollBoard, PublicQuestionBoard } from '../../shared/questions.js';
import type { AccessResponse, RegistrationResponse } from '../../shared/protocol.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { type Caller, expectError, programmeDocument } from '../integration/api-fixtures.js';

describe('audience questions', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  const openDay = programmeDocument('open-day', 'public', ['open-a', 'open-b']);
  const closedDay = programmeDocument('closed-day', 'private', ['closed-a', 'closed-b']);

  const ask = (stageId: string, body: unknown, headers: Record<string, string> = {}) => anonymous('POST', `/api/stages/${stageId}/questions`, body, headers);
  const questionsOf = async (stageId: string, query = '') => {
    const answer = await asTechnician<ModeratorQuestionBoard>('GET', `/api/stages/${stageId}/questions${query}`);
    expect(answer.status, answer.text).toBe(200);
    return answer.body.questions;
  };

  beforeAll(async () => {
    // Enough for this file's questions, which all come from one address.
    server = await startApiServer({ ...TECHNICIAN_ENV, QUESTION_RATE_LIMIT_PER_MINUTE: '100' });
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    for (const document of [openDay, closedDay]) expect((await asTechnician('POST', '/api/programme', document)).status).toBe(201);
    expect((await asTechnician('PUT', '/api/events/closed-day/access-code', { code: 'kod-2026' })).status).toBe(204);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('takes questions on a public stage from anyone, pending moderation', async () => {
    const talkId = openDay.talks[0]!.id;
    const asked = await ask('open-a', { text: '  Hur når vi äldre som bor ensamma? ', authorName: 'Karin', talkId });
    expect(asked.status, asked.text).toBe(201);
    expect(asked.body).toEqual({ id: expect.any(String), status: 'pending' });
    expect((await ask('open-a', { text: 'Anonym fråga' })).status).toBe(201);

    const questions = await questionsOf('open-a');
    expect(questions.map(({ text, authorName, talkId: talk, status }) => ({ text, authorName, talk, status }))).toEqual([
      { text: 'Hur når vi äldre som bor ensamma?', authorName: 'Karin', talk: talkId, status: 'pending' },
      // Asked without a talk: it goes to the talk planned for now (the fixture's first talk runs from an hour ago to an hour ahead).
      { text: 'Anonym fråga', authorName: '', talk: talkId, status: 'pending' },
    ]);
    expect(questions[0]!.id).toBe((asked.body as { id: string }).id);
    expect(await questionsOf('open-a', '?status=pending')).toHaveLength(2);
    expect(await questionsOf('open-a', '?status=approved')).toEqual([]);
    expect(await questionsOf('open-b')).toEqual([]);
  });

  it('on a private stage, takes questions only from viewers with a registration token or a pass', async () => {
    const before = snapshotDatabase(server.dataDir);
    expectError(await ask('closed-a', { text: 'Utan inbjudan?' }), 403, 'forbidden');
    expectError(await ask('closed-a', { text: 'Gissad token' }, { 'x-estrad-access': 'g'.repeat(43) }), 403, 'forbidden');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);

    const registration = await anonymous<RegistrationResponse>('POST', '/api/registrations', { eventId: 'closed-day', name: 'Lena', email: 'lena@example.se' });
    expect(registration.status).toBe(201);
    expect((await ask('closed-a', { text: 'Med min länk' }, { 'x-estrad-access': registration.body.token })).status).toBe(201);

    const access = await anonymous<AccessResponse>('POST', '/api/events/closed-day/access', { code: 'kod-2026' });
    expect(access.status).toBe(200);
    expect((await ask('closed-a', { text: 'Med koden' }, { 'x-estrad-access': access.body.pass })).status).toBe(201);

    expect((await questionsOf('closed-a')).map(({ text }) => text)).toEqual(['Med min länk', 'Med koden']);
    // Which registration asked is kept (for the organisers' records), not shown in the board.
    expect(listQuestions(server.db, 'closed-a').map(({ text, registrationId }) => ({ text, registrationId }))).toEqual([
      { text: 'Med min länk', registrationId: registration.body.registrationId },
      { text: 'Med koden', registrationId: null },
    ]);
  });

  it('refuses bad questions naming the field, and unknown stages, changing nothing', async () => {
    const before = snapshotDatabase(server.dataDir);
    expectError(await ask('open-a', { text: '   ' }), 400, 'invalid_payload', 'text');
    expectError(await ask('open-a', { text: 'x'.repeat(1001) }), 400, 'invalid_payload', 'text');
    expectError(await ask('open-a', { text: 'Hej\u0007' }), 400, 'invalid_payload', 'text');
    expectError(await ask('open-a', { text: 'Hej', status: 'approved' }), 400, 'invalid_payload', 'status');
    expectError(await ask('open-a', { text: 'Fel talk', talkId: openDay.talks[2]!.id }), 400, 'invalid_payload', 'talkId');
    expectError(await ask('open-a', { text: 'Hej' }, { 'x-estrad-access': 'not a token!' }), 400, 'invalid_payload', 'X-Estrad-Access');
    expectError(await ask('no-such-stage', { text: 'Hej' }), 404, 'not_found', 'no-such-stage');
    expectError(await ask('Bad Stage', { text: 'Hej' }), 400, 'invalid_payload', 'stageId');
    expectError(await asTechnician('GET', '/api/stages/open-a/questions?status=bogus'), 400, 'invalid_payload', 'status');
    expectError(await asTechnician('GET', '/api/stages/no-such-stage/questions'), 404, 'not_found');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });
});

describe('question moderation over HTTP', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  const panelDay = programmeDocument('panel-day', 'public', ['panel-a', 'panel-b']);
  const privateDay = programmeDocument('private-day', 'private', ['private-a', 'private-b']);
  const ask = async (stageId: string, text: string, headers: Record<string, string> = {}) => {
    const answer = await anonymous<{ id: string }>('POST', `/api/stages/${stageId}/questions`, { text }, headers);
    expect(answer.status, answer.text).toBe(201);
    return answer.body.id;
  };
  const act = (questionId: string, body: unknown, caller = asTechnician) => caller('POST', `/api/stages/panel-a/questions/${questionId}/actions`, body);

  beforeAll(async () => {
    server = await startApiServer({ ...TECHNICIAN_ENV, QUESTION_RATE_LIMIT_PER_MINUTE: '100' });
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    for (const document of [panelDay, privateDay]) expect((await asTechnician('POST', '/api/programme', document)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lets technicians approve, edit, merge, order, answer and put a question on screen; attendees see only what was approved', async () => {
    const first = await ask('panel-a', 'Hur når ni ensamma äldre i glesbydgen?');
    const duplicate = await ask('panel-a', 'Hur når ni äldre som bor ensamma?');
    const declined = await ask('panel-a', 'Köp billiga klockor!');
    const later = await ask('panel-a', 'Vad kostar det?');

    expect((await act(first, { action: 'edit', text: 'Hur når ni ensamma äldre i glesbygden?' })).body).toMatchObject({
      text: 'Hur når ni ensamma äldre i glesbygden?',
      originalText: 'Hur når ni ensamma äldre i glesbydgen?',
      edited: true,
    });
    // Corrected before approval: the typo never reaches attendees.
    expect((await act(first, { action: 'approve' })).body).toMatchObject({ id: first, status: 'approved' });
    expect((await act(duplicate, { action: 'merge', into: first })).body).toMatchObject({ status: 'merged', mergedInto: first });
    expect((await act(declined, { action: 'decline' })).body).toMatchObject({ status: 'declined' });
    expect((await act(later, { action: 'approve' })).status).toBe(200);
    expect((await asTechnician('PUT', '/api/stages/panel-a/questions/order', { questionIds: [later, first] })).status).toBe(200);
    const onScreen = await asTechnician('PUT', '/api/stages/panel-a/questions/on-screen', { questionId: first });
    expect(onScreen.body).toMatchObject({ id: first, pinnedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const board = await anonymous<PublicQuestionBoard>('GET', '/api/stages/panel-a/questions/public');
    expect(board.status, board.text).toBe(200);
    expect(board.body.questions.map(({ id, status, edited }) => ({ id, status, edited }))).toEqual([
      { id: later, status: 'approved', edited: false },
      { id: first, status: 'approved', edited: true },
    ]);
    expect(board.body.counts).toEqual({ received: 4, approved: 2, answered: 0, declined: 1, merged: 1 });
    expect(board.body.onScreen?.id).toBe(first);
    // Attendees never get the original text, merge links or the moderator's places.
    expect(Object.keys(board.body.questions[0]!).sort()).toEqual(['authorName', 'createdAt', 'edited', 'id', 'status', 'talkId', 'text', 'votes']);
    // Nothing pushed to the stage's attendees held the declined or merged question, or the text before the edit.
    const pushedToAttendees = () => JSON.stringify(server.questionPushes.filter((push) => push.to === 'attendees'));
    // First the positive signal that the last change (the question on screen) was pushed.
    await vi.waitFor(() => expect(pushedToAttendees()).toContain('"onScreen":{"id"'));
    const toAttendees = pushedToAttendees();
    expect(toAttendees).not.toContain(declined);
    expect(toAttendees).not.toContain(duplicate);
    expect(toAttendees).not.toContain('glesbydgen');

    expect((await act(first, { action: 'answer' })).body).toMatchObject({ status: 'answered' });
    const afterAnswer = await anonymous<PublicQuestionBoard>('GET', '/api/stages/panel-a/questions/public');
    expect(afterAnswer.body.questions.map(({ id }) => id)).toEqual([later, first]);
    expect(afterAnswer.body.counts).toMatchObject({ approved: 1, answered: 1 });
  });

  it('exports a talk’s questions as CSV and JSON for technicians', async () => {
    const talkId = panelDay.talks[0]!.id;
    const json = await asTechnician<{ questions: { status: string }[] }>('GET', `/api/talks/${talkId}/questions.json`);
    expect(json.status, json.text).toBe(200);
    expect(json.body.questions.length).toBeGreaterThan(0);
    const csv = await asTechnician('GET', `/api/talks/${talkId}/questions.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.text.split('\r\n')[0]).toBe('\uFEFFid,asked_at,author_name,text,original_text,status,votes,merged_into');
    expectError(await asTechnician('GET', '/api/talks/no-such-talk/questions.csv'), 404, 'not_found');
  });

  it('refuses moderation, order, on-screen and export to anyone but technicians, changing nothing', async () => {
    const question = await ask('panel-a', 'Får jag moderera själv?');
    const registration = await anonymous<RegistrationResponse>('POST', '/api/registrations', { eventId: 'panel-day', name: 'Per', email: 'per@example.se' });
    const asViewer = injectCaller(server, { 'x-estrad-access': registration.body.token });
    const before = snapshotDatabase(server.dataDir);
    for (const caller of [anonymous, asViewer]) {
      expectError(await act(question, { action: 'approve' }, caller), 401, 'unauthorized');
      expectError(await caller('PUT', '/api/stages/panel-a/questions/order', { questionIds: [question] }), 401, 'unauthorized');
      expectError(await caller('PUT', '/api/stages/panel-a/questions/on-screen', { questionId: question }), 401, 'unauthorized');
      expectError(await caller('GET', `/api/talks/${panelDay.talks[0]!.id}/questions.csv`), 401, 'unauthorized');
      expectError(await caller('GET', '/api/stages/panel-a/questions'), 401, 'unauthorized');
    }
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('refuses bad moderation naming what is wrong, changing nothing', async () => {
    const question = await ask('panel-a', 'Ännu en fråga');
    const before = snapshotDatabase(server.dataDir);
    expectError(await act(question, { action: 'promote' }), 400, 'invalid_payload', 'action');
    expectError(await act(question, { action: 'edit', text: '' }), 400, 'invalid_payload', 'text');
    expectError(await act(question, { action: 'merge', into: question }), 400, 'invalid_payload', 'itself');
    expectError(await act('no-such-question', { action: 'approve' }), 404, 'not_found');
    expectError(await asTechnician('POST', `/api/stages/panel-b/questions/${question}/actions`, { action: 'approve' }), 404, 'not_found', 'panel-b');
    // Not approved: attendees may not see it, so it may not go on screen either.
    expectError(await asTechnician('PUT', '/api/stages/panel-a/questions/on-screen', { questionId: question }), 404, 'not_found');
    expectError(await asTechnician('PUT', '/api/stages/panel-a/questions/order', { questionIds: [] }), 400, 'invalid_payload', 'questionIds');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('shows a private stage’s approved questions only to those who may watch it', async () => {
    expectError(await anonymous('GET', '/api/stages/private-a/questions/public'), 403, 'forbidden');
    expect((await asTechnician('GET', '/api/stages/private-a/questions/public')).status).toBe(200);
  });
});

describe('polls over HTTP', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  const pollDay = programmeDocument('poll-day', 'public', ['poll-a', 'poll-b']);

  beforeAll(async () => {
    server = await startApiServer(TECHNICIAN_ENV);
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    expect((await asTechnician('POST', '/api/programme', pollDay)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lets technicians open and close a poll that everyone on the stage sees, and export it with its talk', async () => {
    const opened = await asTechnician<Poll>('POST', '/api/stages/poll-a/polls', { question: 'Vilken åtgärd först?', options: ['Skolan', 'Vården'] });
    expect(opened.status, opened.text).toBe(201);
    expect(opened.body).toMatchObject({
      multiple: false,
      ballots: 0,
      options: [
        { label: 'Skolan', votes: 0 },
        { label: 'Vården', votes: 0 },
      ],
    });
    const board = await anonymous<PollBoard>('GET', '/api/stages/poll-a/polls');
    expect(board.body.polls.map((poll) => poll.id)).toEqual([opened.body.id]);
    await vi.waitFor(() => expect(server.questionPushes.some((push) => push.to === 'polls' && push.stageId === 'poll-a')).toBe(true));

    const closed = await asTechnician<Poll>('POST', `/api/stages/poll-a/polls/${opened.body.id}/close`);
    expect(closed.body.closedAt).not.toBeNull();
    const talkId = opened.body.talkId!;
    expect((await asTechnician<{ polls: Poll[] }>('GET', `/api/talks/${talkId}/polls.json`)).body.polls).toEqual([closed.body]);
    const csv = await asTechnician('GET', `/api/talks/${talkId}/polls.csv`);
    expect(csv.text.split('\r\n')[0]).toBe('\uFEFFpoll_id,question,choice,option,label,votes,ballots,opened_at,closed_at');
  });

  it('refuses bad polls and anyone but technicians, changing nothing', async () => {
    const before = snapshotDatabase(server.dataDir);
    expectError(await asTechnician('POST', '/api/stages/poll-a/polls', { question: 'En?', options: ['Ja'] }), 400, 'invalid_payload', 'options');
    expectError(await asTechnician('POST', '/api/stages/poll-a/polls', { question: 'Två?', options: ['Ja', 'ja'] }), 400, 'invalid_payload', 'once');
    expectError(await asTechnician('POST', '/api/stages/poll-a/polls', { question: '', options: ['A', 'B'] }), 400, 'invalid_payload', 'question');
    expectError(await asTechnician('POST', '/api/stages/poll-a/polls/no-such-poll/close'), 404, 'not_found');
    expectError(await anonymous('POST', '/api/stages/poll-a/polls', { question: 'Får jag?', options: ['A', 'B'] }), 401, 'unauthorized');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });
});
