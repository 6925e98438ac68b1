/** Questions from the audience to a stage, moderated by technicians. */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export type QuestionStatus = 'pending' | 'approved' | 'answered' | 'rejected';

export interface Question {
  id: string;
  stageId: string;
  /** The talk on when it was asked, if known. */
  talkId: string | null;
  /** The asker's registration, if they had one. */
  registrationId: string | null;
  authorName: string;
  text: string;
  status: QuestionStatus;
  createdAt: string;
}

export interface QuestionInput {
  stageId: string;
  talkId?: string | null;
  registrationId?: string | null;
  /** May be empty: anonymous questions. */
  authorName?: string;
  text: string;
}

const columns = `id, stage_id AS stageId, talk_id AS talkId, registration_id AS registrationId,
  author_name AS authorName, text, status, created_at AS createdAt`;

const statements = preparedOnce((db) => ({
  insert: db.prepare<Question>(
    `INSERT INTO questions (id, stage_id, talk_id, registration_id, author_name, text, status, created_at)
     VALUES (@id, @stageId, @talkId, @registrationId, @authorName, @text, @status, @createdAt)`,
  ),
  listByStage: db.prepare<[string], Question>(`SELECT ${columns} FROM questions WHERE stage_id = ? ORDER BY created_at, id`),
  listByStageAndStatus: db.prepare<[string, QuestionStatus], Question>(
    `SELECT ${columns} FROM questions WHERE stage_id = ? AND status = ? ORDER BY created_at, id`,
  ),
  setStatus: db.prepare<[QuestionStatus, string]>('UPDATE questions SET status = ? WHERE id = ?'),
}));

export function createQuestion(db: Database, input: QuestionInput, now = new Date()): Question {
  const question: Question = {
    id: newId(),
    stageId: input.stageId,
    talkId: input.talkId ?? null,
    registrationId: input.registrationId ?? null,
    authorName: input.authorName?.trim() ?? '',
    text: input.text.trim(),
    status: 'pending',
    createdAt: toIsoTime(now),
  };
  statements(db).insert.run(question);
  return question;
}

/** The stage's questions, oldest first; only those with `status` when given. */
export function listQuestions(db: Database, stageId: string, status?: QuestionStatus): Question[] {
  const { listByStage, listByStageAndStatus } = statements(db);
  return status === undefined ? listByStage.all(stageId) : listByStageAndStatus.all(stageId, status);
}

export function setQuestionStatus(db: Database, id: string, status: QuestionStatus): boolean {
  return statements(db).setStatus.run(status, id).changes > 0;
}
