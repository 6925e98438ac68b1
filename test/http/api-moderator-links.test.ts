import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLogResponse, InviteInfo, ModeratorInviteResponse } from '../../shared/protocol.js';
import type { ModeratedQuestion, ModeratorQuestionBoard, Poll, PollBoard } from '../../shared/questions.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { type Caller, expectError, programmeDocument } from '../integration/api-fixtures.js';

describe('moderator links: a panel host moderates one stage’s questions and polls without a technician account', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  let link: ModeratorInviteResponse;
  let asModerator: Caller;
  const day = programmeDocument('panel-day', 'private', ['panel-a', 'panel-b']);

  beforeAll(async () => {
    server = await startApiServer({ ...TECHNICIAN_ENV, QUESTION_RATE_LIMIT_PER_MINUTE: '100' });
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    expect((await asTechnician('POST', '/api/programme', day)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  const askAsTechnician = async (stageId: string, text: string) => {
    // A technician may watch (and so ask on) a private stage.
    const asked = await asTechnician<{ id: string }>('POST', `/api/stages/${stageId}/questions`, { text });
    expect(asked.status, asked.text).toBe(201);
    return asked.body.id;
  };

  it('only technicians make moderator links, which open the moderation page of their stage', async () => {
    expectError(await anonymous('POST', '/api/stages/panel-a/moderator-invites', { label: 'Panelvärd' }), 401, 'unauthorized');
    const created = await asTechnician<ModeratorInviteResponse>('POST', '/api/stages/panel-a/moderator-invites', { label: 'Panelvärd Eva' });
    expect(created.status, created.text).toBe(201);
    link = created.body;
    expect(link).toMatchObject({ stageId: 'panel-a', label: 'Panelvärd Eva', moderateUrl: `/moderate/panel-a?invite=${link.token}` });
    asModerator = injectCaller(server, { 'x-estrad-invite': link.token });

    const listed = await asTechnician<{ invites: InviteInfo[] }>('GET', '/api/stages/panel-a/invites');
    expect(listed.body.invites.map(({ id, role }) => ({ id, role }))).toEqual([{ id: link.id, role: 'moderator' }]);
  });

  it('moderates its stage: sees every question, approves, edits, orders, pins, opens and closes a poll; the audit log names the link', async () => {
    const first = await askAsTechnician('panel-a', 'Hur når vi äldre?');
    const second = await askAsTechnician('panel-a', 'Vad kostar det?');
    const board = await asModerator<ModeratorQuestionBoard>('GET', '/api/stages/panel-a/questions');
    expect(board.status, board.text).toBe(200);
    expect(board.body.questions.map(({ id, status }) => ({ id, status }))).toEqual([
      { id: first, status: 'pending' },
      { id: second, status: 'pending' },
    ]);

    for (const id of [first, second])
      expect((await asModerator('POST', `/api/stages/panel-a/questions/${id}/actions`, { action: 'approve' })).status).toBe(200);
    const edited = await asModerator<ModeratedQuestion>('POST', `/api/stages/panel-a/questions/${first}/actions`, {
      action: 'edit',
      text: 'Hur når vi äldre som bor ensamma?',
    });
    expect(edited.body).toMatchObject({ text: 'Hur når vi äldre som bor ensamma?', originalText: 'Hur når vi äldre?', edited: true });
    const ordered = await asModerator<ModeratorQuestionBoard>('PUT', '/api/stages/panel-a/questions/order', { questionIds: [second, first] });
    expect(ordered.body.questions.map(({ id }) => id)).toEqual([second, first]);
    const pinned = await asModerator<{ id: string }>('PUT', '/api/stages/panel-a/questions/on-screen', { questionId: first });
    expect(pinned.status, pinned.text).toBe(200);
    expect(pinned.body.id).toBe(first);

    const poll = await asModerator<Poll>('POST', '/api/stages/panel-a/polls', { question: 'Hur var panelen?', options: ['Bra', 'Dålig'] });
    expect(poll.status, poll.text).toBe(201);
    // The moderation page reads the polls with its link, on a private event as well.
    const polls = await asModerator<PollBoard>('GET', '/api/stages/panel-a/polls');
    expect(polls.body.polls.map(({ id }) => id)).toEqual([poll.body.id]);
    expect((await asModerator<Poll>('POST', `/api/stages/panel-a/polls/${poll.body.id}/close`)).body.closedAt).not.toBeNull();

    const audit = await asTechnician<AuditLogResponse>('GET', '/api/audit-log?limit=5');
    expect(audit.body.entries[0]).toMatchObject({
      technicianId: null,
      username: 'moderator link Panelvärd Eva',
      action: 'POST /api/stages/:stageId/polls/:pollId/close',
    });
  });

  it('opens nothing else: another stage’s moderation, technician routes, exports, going on air', async () => {
    const other = await asTechnician<{ id: string }>('POST', '/api/stages/panel-b/questions', { text: 'Annan scen' });
    const before = snapshotDatabase(server.dataDir);
    expectError(await asModerator('GET', '/api/stages/panel-b/questions'), 403, 'forbidden', 'panel-a');
    expectError(await asModerator('POST', `/api/stages/panel-b/questions/${other.body.id}/actions`, { action: 'approve' }), 403, 'forbidden');
    expectError(await asModerator('POST', '/api/stages/panel-b/polls', { question: 'Fel scen?', options: ['Ja', 'Nej'] }), 403, 'forbidden');
    expectError(await asModerator('POST', '/api/stages/panel-a/invites', { label: 'Jag själv' }), 401, 'unauthorized');
    expectError(await asModerator('POST', '/api/stages/panel-a/moderator-invites', {}), 401, 'unauthorized');
    expectError(await asModerator('GET', `/api/talks/${day.talks[0]!.id}/questions.csv`), 401, 'unauthorized');
    // A moderator link is no speaker invite, and the refusal says which link it is.
    expectError(await anonymous('GET', '/api/stages/panel-a/speaker-access', undefined, { 'x-estrad-invite': link.token }), 403, 'forbidden', 'moderator link');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('refuses a damaged or made-up link, and a revoked one at once', async () => {
    expectError(await anonymous('GET', '/api/stages/panel-a/questions', undefined, { 'x-estrad-invite': 'not a token' }), 403, 'forbidden', 'damaged');
    expectError(await anonymous('GET', '/api/stages/panel-a/questions', undefined, { 'x-estrad-invite': 'g'.repeat(43) }), 403, 'forbidden');
    expectError(await anonymous('GET', '/api/stages/panel-a/questions'), 401, 'unauthorized');

    expect((await asTechnician('DELETE', `/api/invites/${link.id}`)).status).toBe(204);
    expectError(await asModerator('GET', '/api/stages/panel-a/questions'), 403, 'forbidden', 'revoked');
    expectError(await asModerator('PUT', '/api/stages/panel-a/questions/on-screen', { questionId: null }), 403, 'forbidden');
  });
});
