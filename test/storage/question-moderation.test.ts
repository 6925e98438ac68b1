import BetterSqlite3 from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type Attendee, attendeeOf, QuestionBoard, type QuestionNotifier } from '../../server/audience/questionBoard.js';
import { questionsCsv } from '../../server/audience/audienceExport.js';
import { databasePath } from '../../server/storage/database.js';
import { migrate, migrations } from '../../server/storage/migrations.js';
import { questionPinsBetween } from '../../server/storage/questions.js';
import { createTalk } from '../../server/storage/talks.js';
import { switchTalkOnAir } from '../../server/storage/talksOnAir.js';
import { registerForEvent } from '../../server/storage/registrations.js';
import type { PublicQuestionBoard } from '../../shared/questions.js';
import { createEventWithStageOnOldSchema, createPanelDay, openTempDatabase, sampleEvent, tempDataDir } from './helpers.js';

const morning = new Date('2026-05-20T07:00:00.000Z');

function boardOnStage(options: { maxGroupSize?: number; asksPerMinute?: number } = {}) {
  const db = openTempDatabase();
  const talk = createPanelDay(db, morning);
  const attendeeBoards: PublicQuestionBoard[] = [];
  const notifier: QuestionNotifier = {
    toAttendees: (_stageId, board) => attendeeBoards.push(board),
    toModerators: () => undefined,
    toAttendee: () => undefined,
  };
  let now = morning;
  const board = new QuestionBoard({
    db,
    notifier,
    maxGroupSize: options.maxGroupSize ?? 20,
    asksPerMinute: options.asksPerMinute ?? 100,
    pushDelayMs: 0,
    now: () => now,
  });
  onTestFinished(() => board.close());
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  /** A registered attendee: their registration is who they are, whatever browser key they show. */
  const registered = (name: string, browserKey = `${name}-browser`): Attendee => {
    const registration = registerForEvent(db, { eventId: sampleEvent.id, name, email: `${name}@example.se` }, morning)!;
    return attendeeOf(registration.registration.id, browserKey);
  };
  return { db, board, talk, attendeeBoards, advance, registered, lena: registered('lena') };
}
const browsers = (count: number) => Array.from({ length: count }, (_, index) => attendeeOf(undefined, `browser-key-${index}`));

/** Waits for the board's pushes: its zero-delay timers were queued before this one, so they have run when it does. */
const pushed = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('question moderation', () => {
  it('shows attendees only approved and answered questions, with counts of every outcome', async () => {
    const { board, attendeeBoards, lena } = boardOnStage();
    const [a, b, c, d] = ['Hur når vi de äldre?', 'Spam spam', 'Vad kostar det?', 'Hur når vi äldre?'].map((text) => board.ask('stora', lena, { text }));
    expect(board.publicBoard('stora').questions).toEqual([]);

    board.moderate('stora', a!.id, { action: 'approve' });
    board.moderate('stora', b!.id, { action: 'decline' });
    board.moderate('stora', c!.id, { action: 'answer' });
    board.moderate('stora', d!.id, { action: 'merge', into: a!.id });
    await pushed();

    const seen = board.publicBoard('stora');
    expect(seen.questions.map(({ id, status }) => ({ id, status }))).toEqual([
      { id: a!.id, status: 'approved' },
      { id: c!.id, status: 'answered' },
    ]);
    expect(seen.counts).toEqual({ received: 4, approved: 1, answered: 1, declined: 1, merged: 1 });
    // Nothing pushed to attendees ever held a pending, declined or merged question.
    const everPushed = attendeeBoards.flatMap((pushedBoard) => pushedBoard.questions.map((question) => question.id));
    expect(everPushed).not.toContain(b!.id);
    expect(everPushed).not.toContain(d!.id);
    expect(attendeeBoards.at(-1)).toEqual(seen);
    // Declined and pending questions take no votes and cannot be put on screen: attendees cannot learn they exist.
    const pending = board.ask('stora', lena, { text: 'Väntar' });
    expect(() => board.vote('stora', lena, b!.id, true)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => board.vote('stora', lena, pending.id, true)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => board.pin('stora', pending.id)).toThrow(expect.objectContaining({ code: 'not_found' }));
    // Another stage's question is not this stage's.
    expect(() => board.moderate('lilla', a!.id, { action: 'decline' })).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('counts one vote per attendee across reconnects, weighs groups up to the cap, and lets a vote be taken back', () => {
    const { board, lena, registered } = boardOnStage({ maxGroupSize: 10 });
    const anna = registered('anna', 'phone');
    // Her registration, from another browser.
    const annaOnHerLaptop = attendeeOf(anna.registrationId!, 'laptop');
    const question = board.ask('stora', lena, { text: 'Fråga' });
    board.moderate('stora', question.id, { action: 'approve' });
    const votes = () => board.publicBoard('stora').questions[0]!.votes;

    // The same browser key after a reload is the same attendee.
    board.vote('stora', attendeeOf(undefined, 'browser-1'), question.id, true);
    board.vote('stora', attendeeOf(undefined, 'browser-1'), question.id, true);
    expect(votes()).toBe(1);
    // A registration is one attendee whatever browser it uses.
    board.vote('stora', anna, question.id, true);
    board.vote('stora', annaOnHerLaptop, question.id, true);
    expect(votes()).toBe(2);

    expect(board.setGroupSize('stora', anna, 4)).toBe(4);
    expect(votes()).toBe(5);
    expect(board.setGroupSize('stora', attendeeOf(undefined, 'browser-1'), 500)).toBe(10);
    expect(votes()).toBe(14);
    expect(board.attendeeQuestions('stora', attendeeOf(undefined, 'browser-1'))).toEqual({ votedFor: [question.id], asked: [], groupSize: 10 });

    board.vote('stora', attendeeOf(undefined, 'browser-1'), question.id, false);
    expect(votes()).toBe(4);
  });

  it('merges duplicates: votes add up, an attendee who voted for both counts once, and the merged ones point to the survivor', () => {
    const { board, lena } = boardOnStage();
    const [first, second, third] = ['Hur mäter ni effekten?', 'Hur mäts effekten?', 'Effekt – hur mäts den?'].map((text) => board.ask('stora', lena, { text }));
    for (const question of [first, second, third]) board.moderate('stora', question!.id, { action: 'approve' });
    const [both, onlyFirst, onlySecond, onlyThird] = browsers(4);
    board.vote('stora', both!, first!.id, true);
    board.vote('stora', both!, second!.id, true);
    board.vote('stora', onlyFirst!, first!.id, true);
    board.vote('stora', onlySecond!, second!.id, true);
    board.vote('stora', onlyThird!, third!.id, true);
    board.setGroupSize('stora', onlySecond!, 3);

    board.moderate('stora', third!.id, { action: 'merge', into: second!.id });
    board.moderate('stora', second!.id, { action: 'merge', into: first!.id });

    const moderated = board.moderatorBoard('stora').questions;
    const byId = new Map(moderated.map((question) => [question.id, question]));
    // both (1) + onlyFirst (1) + onlySecond (3) + onlyThird (1): "both" once.
    expect(byId.get(first!.id)).toMatchObject({ status: 'approved', votes: 6 });
    expect(byId.get(second!.id)).toMatchObject({ status: 'merged', mergedInto: first!.id });
    // Merged into a question that was merged in turn: it follows to the survivor.
    expect(byId.get(third!.id)).toMatchObject({ status: 'merged', mergedInto: first!.id });
    // A vote for a merged question goes to the survivor, once.
    board.vote('stora', onlyThird!, second!.id, true);
    expect(board.publicBoard('stora').questions.map(({ id, votes }) => ({ id, votes }))).toEqual([{ id: first!.id, votes: 6 }]);
    // Merged into a question still waiting for moderation: its votes are not taken, as that one is not public.
    const waiting = board.ask('stora', lena, { text: 'Väntar på moderering' });
    const joinsWaiting = board.ask('stora', lena, { text: 'Samma fråga' });
    board.moderate('stora', joinsWaiting.id, { action: 'approve' });
    board.moderate('stora', joinsWaiting.id, { action: 'merge', into: waiting.id });
    expect(() => board.vote('stora', onlyFirst!, joinsWaiting.id, true)).toThrow(expect.objectContaining({ code: 'not_found' }));
    // Refusals that would lose or loop votes.
    expect(() => board.moderate('stora', first!.id, { action: 'merge', into: first!.id })).toThrow(expect.objectContaining({ code: 'invalid_payload' }));
    expect(() => board.moderate('stora', first!.id, { action: 'merge', into: second!.id })).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => board.moderate('stora', second!.id, { action: 'approve' })).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('orders by the moderator first, then by votes, then by age, the same for everyone; answered ones last', () => {
    const { board, advance, lena } = boardOnStage();
    const asked = ['A', 'B', 'C', 'D'].map((text) => {
      advance(1000);
      const question = board.ask('stora', lena, { text });
      board.moderate('stora', question.id, { action: 'approve' });
      return question;
    });
    const [a, b, c, d] = asked;
    const voters = browsers(3);
    for (const voter of voters) board.vote('stora', voter, c!.id, true);
    board.vote('stora', voters[0]!, b!.id, true);
    const order = () => board.publicBoard('stora').questions.map((question) => question.text);
    expect(order()).toEqual(['C', 'B', 'A', 'D']);

    board.setOrder('stora', [d!.id]);
    expect(order()).toEqual(['D', 'C', 'B', 'A']);
    board.moderate('stora', d!.id, { action: 'answer' });
    expect(order()).toEqual(['C', 'B', 'A', 'D']);
    expect(board.moderatorBoard('stora').questions.map((question) => question.text)).toEqual(['C', 'B', 'A', 'D']);
    expect(() => board.setOrder('stora', [a!.id, 'no-such-question'])).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('puts one question on screen at a time, kept with its times for the replay; declining takes it down', () => {
    const { db, board, advance, lena } = boardOnStage();
    const [first, second] = ['Först', 'Sedan'].map((text) => board.ask('stora', lena, { text }));
    for (const question of [first, second]) board.moderate('stora', question!.id, { action: 'approve' });

    board.pin('stora', first!.id);
    expect(board.publicBoard('stora').onScreen).toMatchObject({ id: first!.id, pinnedAt: morning.toISOString() });
    advance(60_000);
    board.pin('stora', second!.id);
    advance(60_000);
    board.moderate('stora', second!.id, { action: 'decline' });
    expect(board.publicBoard('stora').onScreen).toBeNull();

    expect(questionPinsBetween(db, 'stora', morning, new Date(morning.getTime() + 180_000))).toEqual([
      { questionId: first!.id, pinnedAt: '2026-05-20T07:00:00.000Z', unpinnedAt: '2026-05-20T07:01:00.000Z' },
      { questionId: second!.id, pinnedAt: '2026-05-20T07:01:00.000Z', unpinnedAt: '2026-05-20T07:02:00.000Z' },
    ]);
  });

  it('shows the asker that a moderator edited their question, and keeps the original for the moderators', () => {
    const { board, lena } = boardOnStage();
    const question = board.ask('stora', lena, { text: 'Hur når ni ensamma äldre i glesbydgen?' });
    board.moderate('stora', question.id, { action: 'edit', text: 'Hur når ni ensamma äldre i glesbygden?' });
    expect(board.attendeeQuestions('stora', lena).asked).toEqual([
      expect.objectContaining({ text: 'Hur når ni ensamma äldre i glesbygden?', edited: true, status: 'pending' }),
    ]);
    board.moderate('stora', question.id, { action: 'edit', text: 'Hur når ni ensamma äldre på landsbygden?' });
    expect(board.moderatorBoard('stora').questions[0]).toMatchObject({ originalText: 'Hur når ni ensamma äldre i glesbydgen?', edited: true });
  });

  it('files a question under the talk planned for now, and limits how often one attendee asks', () => {
    const { board, talk, advance, lena } = boardOnStage({ asksPerMinute: 2 });
    expect(board.ask('stora', lena, { text: 'Ett' }).talkId).toBe(talk.id);
    board.ask('stora', lena, { text: 'Två' });
    expect(() => board.ask('stora', lena, { text: 'Tre' })).toThrow(expect.objectContaining({ code: 'rate_limited' }));
    // Someone else may still ask, and Lena again a minute later.
    board.ask('stora', attendeeOf(undefined, 'someone-else'), { text: 'Fyra' });
    advance(60_000);
    board.ask('stora', lena, { text: 'Fem' });
    // After the programme's last talk, a question belongs to no talk.
    advance(60 * 60_000);
    expect(board.ask('stora', lena, { text: 'Sex' }).talkId).toBeNull();
  });

  it('files a question under the talk the control room put on air, even before its planned time; with none on air, under the talk planned for now', () => {
    const { db, board, talk, lena } = boardOnStage();
    const overrun = createTalk(db, {
      stageId: 'stora',
      title: 'Nästa samtal',
      kind: 'talk',
      plannedStart: '2026-05-20T08:00:00Z',
      plannedEnd: '2026-05-20T09:00:00Z',
    });
    switchTalkOnAir(db, 'stora', overrun.id, morning);
    expect(board.ask('stora', lena, { text: 'Till nästa samtal, redan nu?' }).talkId).toBe(overrun.id);
    switchTalkOnAir(db, 'stora', null, morning);
    expect(board.ask('stora', lena, { text: 'Och nu, utan något i sändning?' }).talkId).toBe(talk.id);
  });

  it('exports a talk’s questions as CSV with the right columns, neutralising formulas', () => {
    const { board, talk, lena } = boardOnStage();
    const attack = board.ask('stora', lena, { text: '=HYPERLINK("http://evil.example","klicka")', authorName: '@admin' });
    const plain = board.ask('stora', lena, { text: 'Två rader\nsom en fråga' });
    board.moderate('stora', plain.id, { action: 'answer' });
    board.vote('stora', lena, plain.id, true);

    const csv = questionsCsv(board.talkQuestions(talk.id));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = parse<Record<string, string>>(csv.slice(1), { columns: true });
    expect(Object.keys(rows[0]!)).toEqual(['id', 'asked_at', 'author_name', 'text', 'original_text', 'status', 'votes', 'merged_into']);
    expect(rows.map(({ id, author_name, text, status, votes }) => ({ id, author_name, text, status, votes }))).toEqual([
      { id: attack.id, author_name: "'@admin", text: `'=HYPERLINK("http://evil.example","klicka")`, status: 'pending', votes: '0' },
      { id: plain.id, author_name: '', text: 'Två rader\nsom en fråga', status: 'answered', votes: '1' },
    ]);
  });
});

describe('the question moderation migration', () => {
  it('keeps the questions of an older database, a rejected question becoming declined', () => {
    const dataDir = tempDataDir();
    const old = new BetterSqlite3(databasePath(dataDir));
    migrate(
      old,
      migrations.filter((migration) => migration.version < 6),
    );
    createEventWithStageOnOldSchema(old, { id: 'stora', title: 'Stora scenen' }, morning);
    const insert = old.prepare(`INSERT INTO questions (id, stage_id, author_name, text, status, created_at) VALUES (?, 'stora', '', ?, ?, ?)`);
    insert.run('q-kept', 'Godkänd', 'approved', morning.toISOString());
    insert.run('q-rejected', 'Avböjd', 'rejected', morning.toISOString());
    old.close();

    const db = openTempDatabase(dataDir);
    const rows = db.prepare('SELECT id, status, merged_into AS mergedInto FROM questions ORDER BY id').all();
    expect(rows).toEqual([
      { id: 'q-kept', status: 'approved', mergedInto: null },
      { id: 'q-rejected', status: 'declined', mergedInto: null },
    ]);
  });
});
