import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ModeratorInviteResponse } from '../../shared/protocol.js';
import type { ModeratorQuestionBoard, PollBoard } from '../../shared/questions.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from './api-fixtures.js';

function data<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

describe('a moderator link over a real socket: follows its stage’s questions and polls, nothing else, until revoked', () => {
  let server: RunningServer;
  let technician: Awaited<ReturnType<typeof technicianClient>>;
  let link: ModeratorInviteResponse;
  let moderator: RawSocket;
  let moderation: ModeratorQuestionBoard | undefined;
  let polls: PollBoard | undefined;
  const ended: unknown[] = [];

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '0' });
    technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('link-day', 'public', ['link-a', 'link-b']));
    link = await technician.call<ModeratorInviteResponse>('POST', '/api/stages/link-a/moderator-invites', { label: 'Panelvärd' });
    moderator = await connect(server.url, { invite: link.token });
    moderator.on('questions:moderation', (board: ModeratorQuestionBoard) => (moderation = board));
    moderator.on('polls:board', (board: PollBoard) => (polls = board));
    moderator.on('moderation:ended', (event: unknown) => ended.push(event));
  });

  afterAll(async () => {
    moderator?.disconnect();
    expect(await server?.stop()).toBe(0);
  });

  it('is refused another stage’s moderation and going on air', async () => {
    expect(await request(moderator, 'questions:moderate', { stageId: 'link-b' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await request(moderator, 'stage:join', { stageId: 'link-a', role: 'speaker' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/moderator link/) },
    });
  });

  it('gets every question of its stage and the polls pushed as they change', async () => {
    moderation = data(await request<ModeratorQuestionBoard>(moderator, 'questions:moderate', { stageId: 'link-a' }));
    expect(moderation.questions).toEqual([]);
    const asked = await fetch(`${server.url}/api/stages/link-a/questions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Når ni de som inte söker hjälp?' }),
    });
    expect(asked.status).toBe(201);
    await waitFor(
      () => moderation?.questions.some((question) => question.text === 'Når ni de som inte söker hjälp?' && question.status === 'pending') ?? false,
      5000,
      () => 'the moderator link never saw the pending question',
    );
    const opened = await fetch(`${server.url}/api/stages/link-a/polls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-estrad-invite': link.token },
      body: JSON.stringify({ question: 'Hur var panelen?', options: ['Bra', 'Dålig'] }),
    });
    expect(opened.status).toBe(201);
    await waitFor(
      () => polls?.polls.some((poll) => poll.question === 'Hur var panelen?') ?? false,
      5000,
      () => 'the moderator link got no poll push (it is not a member of the stage)',
    );
  });

  it('stops getting pushes and is told, once revoked', async () => {
    await technician.call('DELETE', `/api/invites/${link.id}`);
    await waitFor(
      () => ended.length === 1,
      5000,
      () => 'no moderation:ended after the revocation',
    );
    expect(ended[0]).toMatchObject({ code: 'invite_revoked' });
    moderation = undefined;
    const asked = await fetch(`${server.url}/api/stages/link-a/questions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Efter återkallelsen?' }),
    });
    expect(asked.status).toBe(201);
    // Watched from a technician's own moderation socket: it gets the push the revoked link must not.
    const watcher = await connect(server.url, {}, { extraHeaders: { cookie: technician.cookie } });
    let seen: ModeratorQuestionBoard | undefined;
    watcher.on('questions:moderation', (board: ModeratorQuestionBoard) => (seen = board));
    seen = data(await request<ModeratorQuestionBoard>(watcher, 'questions:moderate', { stageId: 'link-a' }));
    await fetch(`${server.url}/api/stages/link-a/questions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'En till efter återkallelsen' }),
    });
    await waitFor(
      () => seen?.questions.some((question) => question.text === 'En till efter återkallelsen') ?? false,
      5000,
      () => 'the technician saw no push either',
    );
    expect(moderation).toBeUndefined();
    expect(await request(moderator, 'questions:moderate', { stageId: 'link-a' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    watcher.disconnect();
  });
});
