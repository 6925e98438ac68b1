/**
 * A stage's polls: a moderator opens one (single or multiple choice), attendees cast one ballot
 * each (the same voter keys as question votes, so a reload does not vote twice), everyone sees
 * the results live, and a closed poll stays with its talk.
 */
import type { Database } from 'better-sqlite3';
import type { Poll, PollBoard as PollBoardView } from '../../shared/questions.js';
import { AppError } from '../errors.js';
import { ballotOf, castBallot, closePoll, createPoll, findPoll, listPolls, listPollsOfTalk, type PollRecord } from '../storage/polls.js';
import { getTalk } from '../storage/talks.js';
import { CoalescedPushes } from './coalescedPushes.js';
import type { Attendee } from './questionBoard.js';
import { currentTalkAt } from './talkOnAir.js';

export interface PollNotifier {
  toStage(stageId: string, board: PollBoardView): void;
}

export interface PollBoardOptions {
  db: Database;
  notifier: PollNotifier;
  pushDelayMs?: number;
  now?: () => Date;
}

export interface PollInput {
  question: string;
  options: string[];
  multiple: boolean;
  talkId?: string | undefined;
}

export class PollBoard {
  private readonly pushes: CoalescedPushes;

  constructor(private readonly options: PollBoardOptions) {
    this.pushes = new CoalescedPushes(options.pushDelayMs ?? 200);
  }

  open(stageId: string, input: PollInput): Poll {
    const { db } = this.options;
    if (input.talkId !== undefined && getTalk(db, input.talkId)?.stageId !== stageId) {
      throw new AppError('invalid_payload', `Invalid talkId: there is no talk "${input.talkId}" on stage "${stageId}".`);
    }
    const talkId = input.talkId ?? currentTalkAt(db, stageId, this.now())?.id ?? null;
    const poll = createPoll(db, { stageId, talkId, question: input.question, options: input.options, multiple: input.multiple }, this.now());
    this.changed(stageId);
    return pollView(poll);
  }

  closePoll(stageId: string, pollId: string): Poll {
    const poll = this.pollOfStage(stageId, pollId);
    closePoll(this.options.db, poll.id, this.now());
    this.changed(stageId);
    return pollView(findPoll(this.options.db, poll.id)!);
  }

  /** Casts the attendee's one ballot; a second one, a closed poll or an option it does not have is refused. */
  vote(stageId: string, attendee: Attendee, pollId: string, options: readonly number[]): void {
    const poll = this.pollOfStage(stageId, pollId);
    if (poll.closedAt !== null) throw new AppError('conflict', 'This poll has closed; its results stay on the page.');
    if (!poll.multiple && options.length > 1) throw new AppError('invalid_payload', 'Invalid options: this poll takes one choice.');
    const unknown = options.find((option) => option >= poll.options.length);
    if (unknown !== undefined) throw new AppError('invalid_payload', `Invalid options: the poll has no option ${unknown}.`);
    if (!castBallot(this.options.db, poll.id, attendee.voterKey, options, this.now())) {
      throw new AppError('conflict', 'You have already voted in this poll; each attendee votes once.');
    }
    this.changed(stageId);
  }

  board(stageId: string): PollBoardView {
    return { stageId, polls: listPolls(this.options.db, stageId).map(pollView) };
  }

  /** The options this attendee picked, by poll, for the polls they voted in. */
  ballots(stageId: string, attendee: Attendee): Record<string, number[]> {
    const entries = listPolls(this.options.db, stageId).map((poll) => [poll.id, ballotOf(this.options.db, poll.id, attendee.voterKey)] as const);
    return Object.fromEntries(entries.filter(([, picked]) => picked.length > 0));
  }

  talkPolls(talkId: string): Poll[] {
    return listPollsOfTalk(this.options.db, talkId).map(pollView);
  }

  /** Stops pushing (idempotent). */
  close(): void {
    this.pushes.close();
  }

  private pollOfStage(stageId: string, pollId: string): PollRecord {
    const poll = findPoll(this.options.db, pollId);
    if (poll?.stageId !== stageId) throw new AppError('not_found', `There is no poll "${pollId}" on stage "${stageId}".`);
    return poll;
  }

  private changed(stageId: string): void {
    this.pushes.schedule(stageId, () => this.options.notifier.toStage(stageId, this.board(stageId)));
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

function pollView(poll: PollRecord): Poll {
  const { id, talkId, question, multiple, options, ballots, openedAt, closedAt } = poll;
  return { id, talkId, question, multiple, options, ballots, openedAt, closedAt };
}
