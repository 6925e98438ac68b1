/**
 * A stage's audience questions: attendees ask and vote, moderators approve, decline, edit, merge,
 * order, answer and put one on screen. The board decides who sees what (unapproved questions never
 * reach other attendees), the one order everyone sees, and pushes each change to the stage's
 * attendees and moderators, coalesced so that a burst of votes costs one push per stage.
 */
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type {
  AttendeeQuestions,
  ModeratedQuestion,
  ModerationAction,
  ModeratorQuestionBoard,
  PublicQuestion,
  PublicQuestionBoard,
  QuestionCounts,
} from '../../shared/questions.js';
import { publicQuestionStatuses } from '../../shared/questions.js';
import { AppError } from '../errors.js';
import {
  addVote,
  type CountedQuestion,
  createQuestion,
  editQuestionText,
  findQuestion,
  groupSize,
  listQuestions,
  listQuestionsAskedBy,
  listQuestionsOfTalk,
  mergeQuestions,
  pinQuestion,
  questionOnScreen,
  questionsVotedFor,
  removeVote,
  setGroupSize,
  setQuestionOrder,
  setQuestionStatus,
} from '../storage/questions.js';
import { getTalk } from '../storage/talks.js';
import { CoalescedPushes } from './coalescedPushes.js';
import { PerMinuteLimit } from './perMinuteLimit.js';
import { currentTalkAt } from './talkOnAir.js';

/** An attendee as the board knows them: the key their votes carry, and their registration if they have one. */
export interface Attendee {
  voterKey: string;
  registrationId: string | null;
}

/**
 * Who votes: the registration where there is one (it holds across browsers), else the random key
 * the browser keeps (across reloads and reconnects), hashed so that the key never sits in the database.
 */
export function attendeeOf(registrationId: string | undefined, browserKey: string): Attendee {
  if (registrationId) return { voterKey: `r:${registrationId}`, registrationId };
  return { voterKey: `b:${createHash('sha256').update(browserKey).digest('base64url')}`, registrationId: null };
}

export interface QuestionNotifier {
  toAttendees(stageId: string, board: PublicQuestionBoard): void;
  toModerators(stageId: string, board: ModeratorQuestionBoard): void;
  /** One attendee's own questions changed (approved, declined, edited, merged). */
  toAttendee(stageId: string, voterKey: string, mine: AttendeeQuestions): void;
}

export interface QuestionBoardOptions {
  db: Database;
  notifier: QuestionNotifier;
  /** The largest "we are N" a vote may weigh. */
  maxGroupSize: number;
  /** Questions one attendee may ask a minute. */
  asksPerMinute: number;
  /** How long pushes of a stage wait for more changes. */
  pushDelayMs?: number;
  now?: () => Date;
}

const DEFAULT_PUSH_DELAY_MS = 200;

export class QuestionBoard {
  private readonly pushes: CoalescedPushes;
  private readonly recentAsks: PerMinuteLimit;
  private closed = false;

  constructor(private readonly options: QuestionBoardOptions) {
    this.pushes = new CoalescedPushes(options.pushDelayMs ?? DEFAULT_PUSH_DELAY_MS);
    this.recentAsks = new PerMinuteLimit(options.asksPerMinute);
  }

  ask(stageId: string, attendee: Attendee, input: { text: string; authorName?: string | undefined; talkId?: string | undefined }): PublicQuestion {
    this.limitAsks(stageId, attendee.voterKey);
    const { db } = this.options;
    if (input.talkId !== undefined && getTalk(db, input.talkId)?.stageId !== stageId) {
      throw new AppError('invalid_payload', `Invalid talkId: there is no talk "${input.talkId}" on stage "${stageId}".`);
    }
    const talkId = input.talkId ?? currentTalkAt(db, stageId, this.now())?.id ?? null;
    const question = createQuestion(
      db,
      { stageId, talkId, registrationId: attendee.registrationId, askerKey: attendee.voterKey, authorName: input.authorName, text: input.text },
      this.now(),
    );
    this.changed(stageId, question.askerKey);
    return publicQuestion({ ...question, votes: 0 });
  }

  /** Votes for a question (or takes the vote back); a vote for a merged question goes to the one it joined. */
  vote(stageId: string, attendee: Attendee, questionId: string, vote: boolean): void {
    const question = this.visibleQuestion(stageId, questionId);
    const changed = vote ? addVote(this.options.db, question.id, attendee.voterKey, this.now()) : removeVote(this.options.db, question.id, attendee.voterKey);
    if (changed) this.changed(stageId);
  }

  /** "We are N here": the attendee's votes weigh N, up to the configured cap. Returns the size kept. */
  setGroupSize(stageId: string, attendee: Attendee, size: number): number {
    const kept = Math.min(size, this.options.maxGroupSize);
    setGroupSize(this.options.db, stageId, attendee.voterKey, kept);
    this.changed(stageId);
    return kept;
  }

  moderate(stageId: string, questionId: string, action: ModerationAction): ModeratedQuestion {
    const { db } = this.options;
    const question = this.questionOfStage(stageId, questionId);
    if (question.status === 'merged') {
      throw new AppError('conflict', `Question "${questionId}" was merged into "${question.mergedInto}"; moderate that one instead.`);
    }
    switch (action.action) {
      case 'approve':
      case 'reopen':
        setQuestionStatus(db, question.id, 'approved');
        break;
      case 'decline':
        setQuestionStatus(db, question.id, 'declined');
        if (questionOnScreen(db, stageId)?.questionId === question.id) pinQuestion(db, stageId, null, this.now());
        break;
      case 'answer':
        setQuestionStatus(db, question.id, 'answered');
        break;
      case 'edit':
        editQuestionText(db, question.id, action.text);
        break;
      case 'merge':
        this.merge(stageId, question, action.into);
        break;
    }
    this.changed(stageId, question.askerKey);
    return moderatedQuestion(findQuestion(db, question.id)!);
  }

  /** The moderator's order of the approved questions; those not named follow by votes. */
  setOrder(stageId: string, questionIds: readonly string[]): void {
    for (const id of questionIds) this.questionOfStage(stageId, id);
    setQuestionOrder(this.options.db, stageId, questionIds);
    this.changed(stageId);
  }

  /** Puts a question every attendee can see on screen in every player, or takes it down (null). */
  pin(stageId: string, questionId: string | null): void {
    const question = questionId === null ? null : this.visibleQuestion(stageId, questionId);
    pinQuestion(this.options.db, stageId, question?.id ?? null, this.now());
    this.changed(stageId);
  }

  publicBoard(stageId: string): PublicQuestionBoard {
    const all = listQuestions(this.options.db, stageId);
    return {
      stageId,
      questions: inBoardOrder(all.filter(isPublic)).map(publicQuestion),
      counts: countQuestions(all),
      onScreen: this.onScreen(stageId, all),
    };
  }

  moderatorBoard(stageId: string): ModeratorQuestionBoard {
    const all = listQuestions(this.options.db, stageId);
    return { stageId, questions: inBoardOrder(all).map(moderatedQuestion), counts: countQuestions(all), onScreen: this.onScreen(stageId, all) };
  }

  /** A talk's questions with what became of each, in the board's order, for the export after the event. */
  talkQuestions(talkId: string): ModeratedQuestion[] {
    return inBoardOrder(listQuestionsOfTalk(this.options.db, talkId)).map(moderatedQuestion);
  }

  attendeeQuestions(stageId: string, attendee: Attendee): AttendeeQuestions {
    const { db } = this.options;
    return {
      votedFor: questionsVotedFor(db, stageId, attendee.voterKey),
      asked: listQuestionsAskedBy(db, stageId, attendee.voterKey).map(publicQuestion),
      groupSize: groupSize(db, stageId, attendee.voterKey),
    };
  }

  /** Stops pushing (idempotent): changes not pushed yet are dropped, as the server is going away with its sockets. */
  close(): void {
    this.closed = true;
    this.pushes.close();
  }

  private merge(stageId: string, question: CountedQuestion, intoId: string): void {
    if (intoId === question.id) throw new AppError('invalid_payload', 'A question cannot be merged into itself.');
    const survivor = this.survivorOf(this.questionOfStage(stageId, intoId));
    if (survivor.id === question.id) throw new AppError('conflict', `Question "${intoId}" was merged into this one; merge the other way round.`);
    if (survivor.status === 'declined') throw new AppError('conflict', `Question "${survivor.id}" was declined; approve it before merging into it.`);
    mergeQuestions(this.options.db, question.id, survivor.id);
    if (questionOnScreen(this.options.db, stageId)?.questionId === question.id) pinQuestion(this.options.db, stageId, survivor.id, this.now());
  }

  private onScreen(stageId: string, all: CountedQuestion[]): PublicQuestionBoard['onScreen'] {
    const pin = questionOnScreen(this.options.db, stageId);
    const question = pin && all.find((candidate) => candidate.id === pin.questionId);
    return question && pin ? { ...publicQuestion(question), pinnedAt: pin.pinnedAt } : null;
  }

  private questionOfStage(stageId: string, questionId: string): CountedQuestion {
    const question = findQuestion(this.options.db, questionId);
    if (question?.stageId !== stageId) throw new AppError('not_found', `There is no question "${questionId}" on stage "${stageId}".`);
    return question;
  }

  /**
   * The question attendees see under this id (for a merged one, the question it joined), which they
   * may vote for or see on screen; any other answers not_found, revealing nothing.
   */
  private visibleQuestion(stageId: string, questionId: string): CountedQuestion {
    const found = findQuestion(this.options.db, questionId);
    const question = found?.stageId === stageId ? this.survivorOf(found) : undefined;
    if (!question || !isPublic(question)) throw new AppError('not_found', `There is no question "${questionId}" on stage "${stageId}" that attendees can see.`);
    return question;
  }

  private survivorOf(question: CountedQuestion): CountedQuestion {
    if (question.mergedInto === null) return question;
    const survivor = findQuestion(this.options.db, question.mergedInto);
    if (!survivor) throw new AppError('not_found', `Question "${question.id}" was merged into one that no longer exists.`);
    return survivor;
  }

  private limitAsks(stageId: string, voterKey: string): void {
    const asked = this.recentAsks.take(`${stageId}\n${voterKey}`, this.now().getTime());
    if (asked > 0) throw new AppError('rate_limited', `You have asked ${asked} questions in the last minute; wait a moment before asking another.`, 60);
  }

  /** Schedules one push of the stage's boards, and the asker's own questions when theirs changed. */
  private changed(stageId: string, askerKey?: string): void {
    if (this.closed) return;
    if (askerKey) this.options.notifier.toAttendee(stageId, askerKey, this.attendeeQuestions(stageId, { voterKey: askerKey, registrationId: null }));
    this.pushes.schedule(stageId, () => {
      this.options.notifier.toAttendees(stageId, this.publicBoard(stageId));
      this.options.notifier.toModerators(stageId, this.moderatorBoard(stageId));
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

function isPublic(question: CountedQuestion): boolean {
  return (publicQuestionStatuses as readonly string[]).includes(question.status);
}

/**
 * The one order everyone sees: open questions before answered ones; among them the moderator's
 * places first, then the most votes, then the oldest (the id breaks ties, so every client agrees).
 */
export function inBoardOrder<T extends CountedQuestion>(questions: readonly T[]): T[] {
  const rank = (question: T) => (question.status === 'answered' ? 1 : 0);
  return [...questions].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.position ?? Infinity) - (b.position ?? Infinity) ||
      b.votes - a.votes ||
      a.createdAt.localeCompare(b.createdAt) ||
      a.id.localeCompare(b.id),
  );
}

export function countQuestions(questions: readonly CountedQuestion[]): QuestionCounts {
  const counts: QuestionCounts = { received: questions.length, approved: 0, answered: 0, declined: 0, merged: 0 };
  for (const { status } of questions) if (status !== 'pending') counts[status] += 1;
  return counts;
}

function publicQuestion(question: CountedQuestion): PublicQuestion {
  const { id, talkId, authorName, text, originalText, status, votes, createdAt } = question;
  return { id, talkId, authorName, text, edited: originalText !== null, status, votes, createdAt };
}

function moderatedQuestion(question: CountedQuestion): ModeratedQuestion {
  return { ...publicQuestion(question), originalText: question.originalText, mergedInto: question.mergedInto, position: question.position };
}
