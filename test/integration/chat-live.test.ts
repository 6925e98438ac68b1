import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHOR_NAME_MAX_CHARACTERS, CHAT_MESSAGE_MAX_CHARACTERS } from '../../shared/audienceLimits.js';
import type { ChatBoard, ChatMessage, ModeratorChatBoard } from '../../shared/chat.js';
import type { Ack } from '../../shared/protocol.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from './api-fixtures.js';

const STAGE = 'chat-a';

interface Member {
  socket: RawSocket;
  board: ChatBoard | undefined;
}

async function joinStage(server: RunningServer, viewerKey: string): Promise<Member> {
  const socket = await connect(server.url, { viewerKey });
  const member: Member = { socket, board: undefined };
  socket.on('chat:board', (board: ChatBoard) => (member.board = board));
  expect((await request(socket, 'stage:join', { stageId: STAGE, role: 'viewer' })).ok).toBe(true);
  return member;
}

function data<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

describe('stage chat over real sockets', () => {
  let server: RunningServer;
  let technician: Awaited<ReturnType<typeof technicianClient>>;
  let moderator: RawSocket;
  let moderation: ModeratorChatBoard | undefined;
  const members: Member[] = [];
  const chatCall = <T>(method: string, path: string, body?: unknown) => technician.call<T>(method, `/api/stages/${STAGE}/chat${path}`, body);

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '0' });
    technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('chat-day', 'public', [STAGE, 'chat-b']));
    moderator = await connect(server.url, {}, { extraHeaders: { cookie: technician.cookie } });
    moderator.on('chat:moderation', (board: ModeratorChatBoard) => (moderation = board));
    data(await request(moderator, 'questions:moderate', { stageId: STAGE }));
  });

  afterAll(async () => {
    for (const member of members) member.socket.disconnect();
    moderator?.disconnect();
    expect(await server?.stop()).toBe(0);
  });

  it('refuses messages while the chat is off, the default', async () => {
    const anna = await joinStage(server, 'anna-browser-1');
    members.push(anna);
    expect(data(await request<ChatBoard>(anna.socket, 'chat:list', {}))).toMatchObject({ enabled: false, messages: [] });
    expect(await request(anna.socket, 'chat:send', { text: 'Hej?' })).toMatchObject({ ok: false, error: { code: 'chat_off' } });
  });

  it('once on, carries a message to everyone on the stage; a held one reaches only the moderators', async () => {
    await chatCall('PUT', '', { enabled: true, slowModeSeconds: 0, heldWords: ['reklam'] });
    const omar = await joinStage(server, 'omar-browser-1');
    members.push(omar);
    const [anna] = members;
    await waitFor(
      () => anna!.board?.enabled === true,
      5000,
      () => 'the stage was not told that its chat is on',
    );
    const sent = data(await request<ChatMessage>(anna!.socket, 'chat:send', { text: 'Hej från Sundsvall', authorName: 'Anna' }));
    expect(sent.status).toBe('shown');
    await waitFor(
      () => omar.board?.messages.some((message) => message.id === sent.id) ?? false,
      5000,
      () => 'the other attendee never got the message',
    );
    const held = data(await request<ChatMessage>(omar.socket, 'chat:send', { text: 'Reklam för min firma' }));
    expect(held.status).toBe('held');
    await waitFor(
      () => moderation?.messages.some((message) => message.id === held.id && message.status === 'held') ?? false,
      5000,
      () => 'the moderator never saw the held message',
    );
    expect(JSON.stringify(anna!.board)).not.toContain(held.id);
    // Nothing of who sent a message reaches the others but the name they chose to give.
    expect(Object.keys(omar.board!.messages.find((message) => message.id === sent.id)!).sort()).toEqual(['authorName', 'createdAt', 'id', 'status', 'text']);
  });

  it('refuses every message of a muted attendee, over a reconnect too, while others still write', async () => {
    const [anna, omar] = members;
    const rude = data(await request<ChatMessage>(anna!.socket, 'chat:send', { text: 'Tråkig panel' }));
    await chatCall('POST', `/messages/${rude.id}/actions`, { action: 'mute', minutes: 15 });
    expect(await request(anna!.socket, 'chat:send', { text: 'Är jag tystad?' })).toMatchObject({
      ok: false,
      error: { code: 'chat_muted', message: expect.stringContaining('muted') },
    });
    anna!.socket.disconnect();
    const again = await joinStage(server, 'anna-browser-1');
    members.push(again);
    expect(await request(again.socket, 'chat:send', { text: 'Och nu då?' })).toMatchObject({ ok: false, error: { code: 'chat_muted' } });
    expect(data(await request<ChatMessage>(omar!.socket, 'chat:send', { text: 'Bra panel' })).status).toBe('shown');
    const shown = data(await request<ChatBoard>(omar!.socket, 'chat:list', {})).messages.map(({ text }) => text);
    expect(shown).toEqual(['Hej från Sundsvall', 'Tråkig panel', 'Bra panel']);

    await chatCall('POST', `/messages/${rude.id}/actions`, { action: 'delete' });
    await waitFor(
      () => !(omar!.board?.messages.some((message) => message.id === rude.id) ?? true),
      5000,
      () => 'the deleted message stayed on the other attendee’s screen',
    );
  });

  it('refuses a message over the length limit, an empty one and one with fields of its own, naming what is wrong', async () => {
    const lena = await joinStage(server, 'lena-browser-1');
    members.push(lena);
    const refusals = await Promise.all(
      [
        { text: 'x'.repeat(CHAT_MESSAGE_MAX_CHARACTERS + 1) },
        { text: '   ' },
        { text: 'Hej', authorName: 'y'.repeat(AUTHOR_NAME_MAX_CHARACTERS + 1) },
        { text: 'Hej', status: 'shown' },
      ].map((payload) => request(lena.socket, 'chat:send', payload)),
    );
    expect(
      refusals.map((ack) => (ack.ok ? 'accepted' : `${ack.error.code} ${['text', 'authorName', 'status'].find((field) => ack.error.message.includes(field))}`)),
    ).toEqual(['invalid_payload text', 'invalid_payload text', 'invalid_payload authorName', 'invalid_payload status']);
    // Refused messages count against nothing: the next one goes through.
    expect(data(await request<ChatMessage>(lena.socket, 'chat:send', { text: 'x'.repeat(CHAT_MESSAGE_MAX_CHARACTERS) })).status).toBe('shown');
  });
});
