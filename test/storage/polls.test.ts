import { parse } from 'csv-parse/sync';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pollsCsv } from '../../server/audience/audienceExport.js';
import { PollBoard } from '../../server/audience/pollBoard.js';
import { attendeeOf } from '../../server/audience/questionBoard.js';
import type { PollBoard as PollBoardView } from '../../shared/questions.js';
import { createPanelDay, openTempDatabase } from './helpers.js';

const morning = new Date('2026-05-20T07:00:00.000Z');

function pollsOnStage() {
  const db = openTempDatabase();
  const talk = createPanelDay(db, morning);
  const pushed: PollBoardView[] = [];
  const polls = new PollBoard({ db, notifier: { toStage: (_stageId, board) => pushed.push(board) }, pushDelayMs: 0, now: () => morning });
  onTestFinished(() => polls.close());
  return { polls, talk, pushed };
}

const attendees = (count: number) => Array.from({ length: count }, (_, index) => attendeeOf(undefined, `browser-${index}`));

describe('polls', () => {
  it('takes one ballot per attendee, counts the results live, and keeps a closed poll with its talk', async () => {
    const { polls, talk, pushed } = pollsOnStage();
    const poll = polls.open('stora', {
      question: 'Hur arbetar ni med ensamhet?',
      options: ['Samtalsgrupper', 'Digitala träffar', 'Inte alls'],
      multiple: false,
    });
    expect(poll).toMatchObject({ talkId: talk.id, multiple: false, ballots: 0, closedAt: null });
    const [a, b, c] = attendees(3);
    polls.vote('stora', a!, poll.id, [0]);
    polls.vote('stora', b!, poll.id, [0]);
    polls.vote('stora', c!, poll.id, [2]);
    // The same browser again, after a reload.
    expect(() => polls.vote('stora', attendeeOf(undefined, 'browser-0'), poll.id, [1])).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(polls.ballots('stora', a!)).toEqual({ [poll.id]: [0] });

    await new Promise((resolve) => setTimeout(resolve, 0));
    const results = {
      options: [
        { label: 'Samtalsgrupper', votes: 2 },
        { label: 'Digitala träffar', votes: 0 },
        { label: 'Inte alls', votes: 1 },
      ],
      ballots: 3,
    };
    expect(pushed.at(-1)?.polls[0]).toMatchObject(results);

    expect(polls.closePoll('stora', poll.id).closedAt).toBe(morning.toISOString());
    expect(() => polls.vote('stora', attendeeOf(undefined, 'late'), poll.id, [1])).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(polls.talkPolls(talk.id)).toEqual([expect.objectContaining({ id: poll.id, ...results })]);
  });

  it('lets a multiple-choice ballot pick several options, and refuses what a poll does not have', () => {
    const { polls } = pollsOnStage();
    const single = polls.open('stora', { question: 'En?', options: ['Ja', 'Nej'], multiple: false });
    const multiple = polls.open('stora', { question: 'Flera?', options: ['A', 'B', 'C'], multiple: true });
    const [a] = attendees(1);
    expect(() => polls.vote('stora', a!, single.id, [0, 1])).toThrow(expect.objectContaining({ code: 'invalid_payload' }));
    expect(() => polls.vote('stora', a!, single.id, [2])).toThrow(expect.objectContaining({ code: 'invalid_payload' }));
    expect(() => polls.vote('lilla', a!, single.id, [0])).toThrow(expect.objectContaining({ code: 'not_found' }));
    polls.vote('stora', a!, multiple.id, [0, 2]);
    expect(polls.board('stora').polls.map((poll) => poll.question)).toEqual(['Flera?', 'En?']);
    expect(polls.board('stora').polls[0]).toMatchObject({ ballots: 1, options: [{ votes: 1 }, { votes: 0 }, { votes: 1 }] });
  });

  it('exports a talk’s poll results as CSV, one row per option, neutralising formulas', () => {
    const { polls, talk } = pollsOnStage();
    const poll = polls.open('stora', { question: '=1+1 – vad blir det?', options: ['2', '@SUM(A1)'], multiple: false });
    polls.vote('stora', attendeeOf(undefined, 'one'), poll.id, [1]);
    const rows = parse<Record<string, string>>(pollsCsv(polls.talkPolls(talk.id)).slice(1), { columns: true });
    expect(rows).toEqual([
      {
        poll_id: poll.id,
        question: "'=1+1 – vad blir det?",
        choice: 'single',
        option: '0',
        label: '2',
        votes: '0',
        ballots: '1',
        opened_at: morning.toISOString(),
        closed_at: '',
      },
      {
        poll_id: poll.id,
        question: "'=1+1 – vad blir det?",
        choice: 'single',
        option: '1',
        label: "'@SUM(A1)",
        votes: '1',
        ballots: '1',
        opened_at: morning.toISOString(),
        closed_at: '',
      },
    ]);
  });
});
