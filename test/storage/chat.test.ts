import { describe, expect, it, onTestFinished } from 'vitest';
import { ChatRoom, holdsFor } from '../../server/audience/chatRoom.js';
import { attendeeOf } from '../../server/audience/questionBoard.js';
import type { ChatBoard, ModeratorChatBoard } from '../../shared/chat.js';
import { createPanelDay, openTempDatabase } from './helpers.js';

const morning = new Date('2026-05-20T07:00:00.000Z');
const seconds = (count: number) => new Date(morning.getTime() + count * 1000);

function chatOnStage(messagesPerMinute = 10) {
  const db = openTempDatabase();
  createPanelDay(db, morning);
  let now = morning;
  const pushed: { attendees: ChatBoard[]; moderators: ModeratorChatBoard[] } = { attendees: [], moderators: [] };
  const chat = new ChatRoom({
    db,
    notifier: { toStage: (_stage, board) => pushed.attendees.push(board), toModerators: (_stage, board) => pushed.moderators.push(board) },
    messagesPerMinute,
    pushDelayMs: 0,
    now: () => now,
  });
  onTestFinished(() => chat.close());
  return { db, chat, pushed, setNow: (time: Date) => (now = time) };
}

const on = { enabled: true, slowModeSeconds: 0, heldWords: [] };
const anna = attendeeOf(undefined, 'browser-anna');
const omar = attendeeOf(undefined, 'browser-omar');

describe('stage chat', () => {
  it('is off until a moderator turns it on; then everyone on the stage sees the messages, oldest first, without who sent them', async () => {
    const { chat, pushed } = chatOnStage();
    expect(chat.board('stora')).toEqual({ stageId: 'stora', enabled: false, slowModeSeconds: 0, messages: [] });
    expect(() => chat.send('stora', anna, { text: 'Hej!' })).toThrow(expect.objectContaining({ code: 'chat_off', message: expect.stringContaining('off') }));

    chat.configure('stora', on);
    const first = chat.send('stora', anna, { text: '  Hej från Sundsvall! ', authorName: 'Anna' });
    chat.send('stora', omar, { text: 'Hej från Härnösand' });
    expect(first).toMatchObject({ authorName: 'Anna', text: 'Hej från Sundsvall!', status: 'shown' });
    expect(chat.board('stora').messages.map(({ authorName, text }) => ({ authorName, text }))).toEqual([
      { authorName: 'Anna', text: 'Hej från Sundsvall!' },
      { authorName: '', text: 'Hej från Härnösand' },
    ]);
    expect(JSON.stringify(chat.moderatorBoard('stora'))).not.toContain(anna.voterKey);
    expect(chat.board('lilla').messages).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pushed.attendees.at(-1)?.messages).toHaveLength(2);
  });

  it('holds a message with a word of the filter for the moderators, whatever its case, until released', () => {
    const { chat } = chatOnStage();
    chat.configure('stora', { ...on, heldWords: ['Idiot', ' köp nu '] });
    expect(chat.moderatorBoard('stora').heldWords).toEqual(['idiot', 'köp nu']);
    const held = chat.send('stora', anna, { text: 'Vilken IDIOT till talare' });
    const advert = chat.send('stora', omar, { text: 'Billiga pillren, köp nu!' });
    // A whole word only: "idioti" is another word.
    const fine = chat.send('stora', attendeeOf(undefined, 'browser-eva'), { text: 'Idiotiskt bra panel' });
    expect([held.status, advert.status, fine.status]).toEqual(['held', 'held', 'shown']);
    expect(chat.board('stora').messages.map(({ id }) => id)).toEqual([fine.id]);
    expect(chat.moderatorBoard('stora').messages.map(({ id, status }) => ({ id, status }))).toEqual([
      { id: held.id, status: 'held' },
      { id: advert.id, status: 'held' },
      { id: fine.id, status: 'shown' },
    ]);

    chat.moderate('stora', held.id, { action: 'release' });
    expect(chat.board('stora').messages.map(({ id }) => id)).toEqual([held.id, fine.id]);
    expect(() => chat.moderate('stora', held.id, { action: 'release' })).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('lets moderators delete a message for everyone, and mute its author for a time', () => {
    const { chat, setNow } = chatOnStage();
    chat.configure('stora', on);
    const rude = chat.send('stora', anna, { text: 'Tråkigt!' });
    chat.moderate('stora', rude.id, { action: 'delete' });
    expect(chat.board('stora').messages).toEqual([]);
    expect(chat.moderatorBoard('stora').messages[0]).toMatchObject({ id: rude.id, status: 'deleted' });

    chat.moderate('stora', rude.id, { action: 'mute', minutes: 10 });
    expect(chat.moderatorBoard('stora').messages[0]?.authorMutedUntil).toBe(seconds(600).toISOString());
    setNow(seconds(60));
    expect(() => chat.send('stora', anna, { text: 'Får jag skriva nu?' })).toThrow(
      expect.objectContaining({ code: 'chat_muted', message: expect.stringContaining('muted'), retryAfterSeconds: 540 }),
    );
    // After a reload the same browser is the same author, and still muted.
    expect(() => chat.send('stora', attendeeOf(undefined, 'browser-anna'), { text: 'Och nu?' })).toThrow(expect.objectContaining({ code: 'chat_muted' }));
    expect(chat.send('stora', omar, { text: 'Jag får skriva' }).status).toBe('shown');
    // Muted on this stage only, and for the time given.
    expect(() => chat.moderate('lilla', rude.id, { action: 'delete' })).toThrow(expect.objectContaining({ code: 'not_found' }));
    setNow(seconds(601));
    expect(chat.send('stora', anna, { text: 'Förlåt' }).status).toBe('shown');
  });

  it('keeps slow mode and the per-minute limit, each refusal saying when to try again', () => {
    const { chat, setNow } = chatOnStage(3);
    chat.configure('stora', { ...on, slowModeSeconds: 30 });
    chat.send('stora', anna, { text: 'Ett' });
    setNow(seconds(10));
    expect(() => chat.send('stora', anna, { text: 'Två' })).toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterSeconds: 20 }));
    expect(chat.send('stora', omar, { text: 'Någon annan' }).status).toBe('shown');
    setNow(seconds(30));
    expect(chat.send('stora', anna, { text: 'Två' }).status).toBe('shown');

    chat.configure('stora', on);
    chat.send('stora', anna, { text: 'Tre' });
    expect(() => chat.send('stora', anna, { text: 'Fyra' })).toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterSeconds: 60 }));
    expect(chat.board('stora').messages.map(({ text }) => text)).toEqual(['Ett', 'Någon annan', 'Två', 'Tre']);
  });

  it('matches filter words as whole words, phrases as text', () => {
    expect(holdsFor(['ass'], 'A class of its own')).toBe(false);
    expect(holdsFor(['ass'], 'What an ass.')).toBe(true);
    expect(holdsFor(['köp nu'], 'KÖP NU!')).toBe(true);
    expect(holdsFor([], 'anything')).toBe(false);
  });
});
