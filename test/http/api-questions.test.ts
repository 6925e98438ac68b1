import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Question } from '../../server/storage/questions.js';
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
    const answer = await asTechnician<{ questions: Question[] }>('GET', `/api/stages/${stageId}/questions${query}`);
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
    expect(questions.map(({ text, authorName, talkId: talk, status, stageId }) => ({ text, authorName, talk, status, stageId }))).toEqual([
      { text: 'Hur når vi äldre som bor ensamma?', authorName: 'Karin', talk: talkId, status: 'pending', stageId: 'open-a' },
      { text: 'Anonym fråga', authorName: '', talk: null, status: 'pending', stageId: 'open-a' },
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

    expect((await questionsOf('closed-a')).map(({ text, registrationId }) => ({ text, registrationId }))).toEqual([
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
