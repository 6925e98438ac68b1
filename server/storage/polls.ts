/** Polls on a stage, their options and ballots; the rules are the poll board's (server/audience/pollBoard.ts). */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export interface PollRecord {
  id: string;
  stageId: string;
  talkId: string | null;
  question: string;
  multiple: boolean;
  openedAt: string;
  closedAt: string | null;
  /** In the order they were given, with the ballots that picked each. */
  options: { label: string; votes: number }[];
  ballots: number;
}

export interface PollInput {
  stageId: string;
  talkId: string | null;
  question: string;
  options: readonly string[];
  multiple: boolean;
}

type PollRow = Omit<PollRecord, 'options' | 'ballots' | 'multiple'> & { multiple: 0 | 1 };

const columns = 'id, stage_id AS stageId, talk_id AS talkId, question, multiple, opened_at AS openedAt, closed_at AS closedAt';

const statements = preparedOnce((db) => ({
  insert: db.prepare<[string, string, string | null, string, number, string]>(
    'INSERT INTO polls (id, stage_id, talk_id, question, multiple, opened_at) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  insertOption: db.prepare<[string, number, string]>('INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)'),
  find: db.prepare<[string], PollRow>(`SELECT ${columns} FROM polls WHERE id = ?`),
  listByStage: db.prepare<[string], PollRow>(`SELECT ${columns} FROM polls WHERE stage_id = ? ORDER BY opened_at DESC, rowid DESC`),
  listByTalk: db.prepare<[string], PollRow>(`SELECT ${columns} FROM polls WHERE talk_id = ? ORDER BY opened_at, rowid`),
  options: db.prepare<[string], { label: string; votes: number }>(
    `SELECT o.label, (SELECT count(*) FROM poll_ballots b WHERE b.poll_id = o.poll_id AND b.position = o.position) AS votes
     FROM poll_options o WHERE o.poll_id = ? ORDER BY o.position`,
  ),
  ballots: db.prepare<[string], { count: number }>('SELECT count(DISTINCT voter_key) AS count FROM poll_ballots WHERE poll_id = ?'),
  hasBallot: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM poll_ballots WHERE poll_id = ? AND voter_key = ? LIMIT 1'),
  castOne: db.prepare<[string, string, number, string]>('INSERT INTO poll_ballots (poll_id, voter_key, position, cast_at) VALUES (?, ?, ?, ?)'),
  close: db.prepare<[string, string]>('UPDATE polls SET closed_at = ? WHERE id = ? AND closed_at IS NULL'),
  ballotOf: db.prepare<[string, string], { position: number }>('SELECT position FROM poll_ballots WHERE poll_id = ? AND voter_key = ? ORDER BY position'),
}));

export function createPoll(db: Database, input: PollInput, now = new Date()): PollRecord {
  const id = newId();
  const { insert, insertOption } = statements(db);
  db.transaction(() => {
    insert.run(id, input.stageId, input.talkId, input.question.trim(), input.multiple ? 1 : 0, toIsoTime(now));
    input.options.forEach((label, position) => insertOption.run(id, position, label.trim()));
  })();
  return findPoll(db, id)!;
}

export function findPoll(db: Database, id: string): PollRecord | undefined {
  const row = statements(db).find.get(id);
  return row && withResults(db, row);
}

/** Newest first. */
export function listPolls(db: Database, stageId: string): PollRecord[] {
  return statements(db)
    .listByStage.all(stageId)
    .map((row) => withResults(db, row));
}

export function listPollsOfTalk(db: Database, talkId: string): PollRecord[] {
  return statements(db)
    .listByTalk.all(talkId)
    .map((row) => withResults(db, row));
}

/** Casts a voter's ballot once; false (and nothing stored) when they already had one. */
export function castBallot(db: Database, pollId: string, voterKey: string, positions: readonly number[], now = new Date()): boolean {
  const { hasBallot, castOne } = statements(db);
  const castAt = toIsoTime(now);
  return db.transaction(() => {
    if (hasBallot.get(pollId, voterKey)) return false;
    for (const position of positions) castOne.run(pollId, voterKey, position, castAt);
    return true;
  })();
}

/** The options a voter picked, empty when they have not voted. */
export function ballotOf(db: Database, pollId: string, voterKey: string): number[] {
  return statements(db)
    .ballotOf.all(pollId, voterKey)
    .map((row) => row.position);
}

export function closePoll(db: Database, pollId: string, now = new Date()): boolean {
  return statements(db).close.run(toIsoTime(now), pollId).changes > 0;
}

function withResults(db: Database, row: PollRow): PollRecord {
  const { options, ballots } = statements(db);
  return { ...row, multiple: row.multiple === 1, options: options.all(row.id), ballots: ballots.get(row.id)?.count ?? 0 };
}
