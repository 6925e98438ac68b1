/**
 * Questions from the audience to a stage, their votes and moderation. The rules (who sees what,
 * the order, what merging means) are the question board's in server/audience/questionBoard.ts;
 * this module keeps the SQL.
 */
import type { Database } from 'better-sqlite3';
import type { QuestionStatus } from '../../shared/questions.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export type { QuestionStatus };

export interface Question {
  id: string;
  stageId: string;
  /** The talk on when it was asked, if known. */
  talkId: string | null;
  /** The asker's registration, if they had one. */
  registrationId: string | null;
  /** The asker as a voter (see QuestionInput.askerKey); empty for questions asked without one. */
  askerKey: string;
  authorName: string;
  text: string;
  /** The text as asked, once a moderator edited it; null while unedited. */
  originalText: string | null;
  status: QuestionStatus;
  /** The question a merged one joined. */
  mergedInto: string | null;
  /** The moderator's place for it; null when ordered by votes. */
  position: number | null;
  createdAt: string;
}

/** A question with its votes, each voter weighing their group's size. */
export interface CountedQuestion extends Question {
  votes: number;
}

export interface QuestionInput {
  stageId: string;
  talkId?: string | null;
  registrationId?: string | null;
  /** Who asked, as the voter key their votes carry; empty when unknown (an API script). */
  askerKey?: string;
  /** May be empty: anonymous questions. */
  authorName?: string;
  text: string;
}

export interface QuestionPinRecord {
  questionId: string;
  pinnedAt: string;
  unpinnedAt: string | null;
}

const columns = `q.id, q.stage_id AS stageId, q.talk_id AS talkId, q.registration_id AS registrationId, q.asker_key AS askerKey,
  q.author_name AS authorName, q.text, q.original_text AS originalText, q.status, q.merged_into AS mergedInto,
  q.position, q.created_at AS createdAt`;
const votes = `coalesce((
    SELECT sum(coalesce(g.size, 1)) FROM question_votes v
    LEFT JOIN question_groups g ON g.stage_id = q.stage_id AND g.voter_key = v.voter_key
    WHERE v.question_id = q.id
  ), 0) AS votes`;

const statements = preparedOnce((db) => ({
  insert: db.prepare<Omit<Question, 'originalText' | 'mergedInto' | 'position'>>(
    `INSERT INTO questions (id, stage_id, talk_id, registration_id, asker_key, author_name, text, status, created_at)
     VALUES (@id, @stageId, @talkId, @registrationId, @askerKey, @authorName, @text, @status, @createdAt)`,
  ),
  find: db.prepare<[string], CountedQuestion>(`SELECT ${columns}, ${votes} FROM questions q WHERE q.id = ?`),
  listByStage: db.prepare<[string], CountedQuestion>(`SELECT ${columns}, ${votes} FROM questions q WHERE q.stage_id = ? ORDER BY q.created_at, q.id`),
  listByAsker: db.prepare<[string, string], CountedQuestion>(
    `SELECT ${columns}, ${votes} FROM questions q WHERE q.stage_id = ? AND q.asker_key = ? ORDER BY q.created_at, q.id`,
  ),
  listByTalk: db.prepare<[string], CountedQuestion>(`SELECT ${columns}, ${votes} FROM questions q WHERE q.talk_id = ? ORDER BY q.created_at, q.id`),
  setStatus: db.prepare<[QuestionStatus, string]>(`UPDATE questions SET status = ? WHERE id = ? AND status <> 'merged'`),
  editText: db.prepare<[string, string]>('UPDATE questions SET original_text = coalesce(original_text, text), text = ? WHERE id = ?'),
  copyVotes: db.prepare<[string, string]>(
    'INSERT OR IGNORE INTO question_votes (question_id, voter_key, created_at) SELECT ?, voter_key, created_at FROM question_votes WHERE question_id = ?',
  ),
  markMerged: db.prepare<[string, string]>(`UPDATE questions SET status = 'merged', merged_into = ?, position = NULL WHERE id = ?`),
  repointMerged: db.prepare<[string, string]>(`UPDATE questions SET merged_into = ? WHERE merged_into = ?`),
  addVote: db.prepare<[string, string, string]>('INSERT OR IGNORE INTO question_votes (question_id, voter_key, created_at) VALUES (?, ?, ?)'),
  removeVote: db.prepare<[string, string]>('DELETE FROM question_votes WHERE question_id = ? AND voter_key = ?'),
  votedFor: db.prepare<[string, string], { questionId: string }>(
    `SELECT v.question_id AS questionId FROM question_votes v JOIN questions q ON q.id = v.question_id
     WHERE q.stage_id = ? AND v.voter_key = ? ORDER BY v.question_id`,
  ),
  setGroupSize: db.prepare<[string, string, number]>(
    'INSERT INTO question_groups (stage_id, voter_key, size) VALUES (?, ?, ?) ON CONFLICT (stage_id, voter_key) DO UPDATE SET size = excluded.size',
  ),
  groupSize: db.prepare<[string, string], { size: number }>('SELECT size FROM question_groups WHERE stage_id = ? AND voter_key = ?'),
  clearPositions: db.prepare<[string]>('UPDATE questions SET position = NULL WHERE stage_id = ?'),
  setPosition: db.prepare<[number, string, string]>('UPDATE questions SET position = ? WHERE id = ? AND stage_id = ?'),
  unpin: db.prepare<[string, string]>('UPDATE question_pins SET unpinned_at = ? WHERE stage_id = ? AND unpinned_at IS NULL'),
  pin: db.prepare<[string, string, string, string]>('INSERT INTO question_pins (id, stage_id, question_id, pinned_at) VALUES (?, ?, ?, ?)'),
  onScreen: db.prepare<[string], QuestionPinRecord>(
    'SELECT question_id AS questionId, pinned_at AS pinnedAt, unpinned_at AS unpinnedAt FROM question_pins WHERE stage_id = ? AND unpinned_at IS NULL',
  ),
  pinsBetween: db.prepare<[string, string, string], QuestionPinRecord>(
    `SELECT question_id AS questionId, pinned_at AS pinnedAt, unpinned_at AS unpinnedAt FROM question_pins
     WHERE stage_id = ? AND pinned_at < ? AND (unpinned_at IS NULL OR unpinned_at > ?) ORDER BY pinned_at`,
  ),
}));

export function createQuestion(db: Database, input: QuestionInput, now = new Date()): Question {
  const question = {
    id: newId(),
    stageId: input.stageId,
    talkId: input.talkId ?? null,
    registrationId: input.registrationId ?? null,
    askerKey: input.askerKey ?? '',
    authorName: input.authorName?.trim() ?? '',
    text: input.text.trim(),
    status: 'pending' as const,
    createdAt: toIsoTime(now),
  };
  statements(db).insert.run(question);
  return { ...question, originalText: null, mergedInto: null, position: null };
}

export function findQuestion(db: Database, id: string): CountedQuestion | undefined {
  return statements(db).find.get(id);
}

/** The stage's questions with their votes, oldest first; only those with `status` when given. */
export function listQuestions(db: Database, stageId: string, status?: QuestionStatus): CountedQuestion[] {
  const all = statements(db).listByStage.all(stageId);
  return status === undefined ? all : all.filter((question) => question.status === status);
}

export function listQuestionsAskedBy(db: Database, stageId: string, askerKey: string): CountedQuestion[] {
  return statements(db).listByAsker.all(stageId, askerKey);
}

export function listQuestionsOfTalk(db: Database, talkId: string): CountedQuestion[] {
  return statements(db).listByTalk.all(talkId);
}

/** Sets a status other than merged (mergeQuestions does that); a merged question keeps its status. */
export function setQuestionStatus(db: Database, id: string, status: Exclude<QuestionStatus, 'merged'>): boolean {
  return statements(db).setStatus.run(status, id).changes > 0;
}

/** Replaces the text, keeping the asker's original the first time. */
export function editQuestionText(db: Database, id: string, text: string): boolean {
  return statements(db).editText.run(text.trim(), id).changes > 0;
}

/**
 * `mergedId` joins `survivorId`: its voters become the survivor's (an attendee who voted for both
 * counts once), it is marked merged, and what had been merged into it points to the survivor.
 */
export function mergeQuestions(db: Database, mergedId: string, survivorId: string): void {
  const { copyVotes, markMerged, repointMerged } = statements(db);
  db.transaction(() => {
    copyVotes.run(survivorId, mergedId);
    markMerged.run(survivorId, mergedId);
    repointMerged.run(survivorId, mergedId);
  })();
}

/** Records a vote; false when this voter had already voted for the question. */
export function addVote(db: Database, questionId: string, voterKey: string, now = new Date()): boolean {
  return statements(db).addVote.run(questionId, voterKey, toIsoTime(now)).changes > 0;
}

export function removeVote(db: Database, questionId: string, voterKey: string): boolean {
  return statements(db).removeVote.run(questionId, voterKey).changes > 0;
}

/** The stage's questions this voter voted for. */
export function questionsVotedFor(db: Database, stageId: string, voterKey: string): string[] {
  return statements(db)
    .votedFor.all(stageId, voterKey)
    .map((row) => row.questionId);
}

export function setGroupSize(db: Database, stageId: string, voterKey: string, size: number): void {
  statements(db).setGroupSize.run(stageId, voterKey, size);
}

/** 1 for a voter who never said how many they are. */
export function groupSize(db: Database, stageId: string, voterKey: string): number {
  return statements(db).groupSize.get(stageId, voterKey)?.size ?? 1;
}

/** Gives these questions of the stage places 0, 1, 2…; every other question goes back to the order by votes. */
export function setQuestionOrder(db: Database, stageId: string, questionIds: readonly string[]): void {
  const { clearPositions, setPosition } = statements(db);
  db.transaction(() => {
    clearPositions.run(stageId);
    questionIds.forEach((id, position) => setPosition.run(position, id, stageId));
  })();
}

/** Puts the question on screen (taking down the one there), or takes it down with null. */
export function pinQuestion(db: Database, stageId: string, questionId: string | null, now = new Date()): void {
  const { unpin, pin } = statements(db);
  const time = toIsoTime(now);
  db.transaction(() => {
    unpin.run(time, stageId);
    if (questionId !== null) pin.run(newId(), stageId, questionId, time);
  })();
}

export function questionOnScreen(db: Database, stageId: string): QuestionPinRecord | undefined {
  return statements(db).onScreen.get(stageId);
}

/** What was on screen at some time between `from` and `to`, for a replay of that stretch. */
export function questionPinsBetween(db: Database, stageId: string, from: Date, to: Date): QuestionPinRecord[] {
  return statements(db).pinsBetween.all(stageId, toIsoTime(to), toIsoTime(from));
}
