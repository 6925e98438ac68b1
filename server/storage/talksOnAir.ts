/**
 * Which talk is on air on each stage, and since when: one row per time a talk was on air, kept
 * after it ended, so that per-talk replays (replays.ts) follow what happened rather than the plan.
 */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';

export interface TalkOnAir {
  stageId: string;
  talkId: string;
  startedAt: string;
  /** Null while it is on air. */
  endedAt: string | null;
}

const columns = 'stage_id AS stageId, talk_id AS talkId, started_at AS startedAt, ended_at AS endedAt';

const statements = preparedOnce((db) => ({
  current: db.prepare<[string], TalkOnAir>(`SELECT ${columns} FROM talks_on_air WHERE stage_id = ? AND ended_at IS NULL`),
  end: db.prepare<[string, string]>('UPDATE talks_on_air SET ended_at = ? WHERE stage_id = ? AND ended_at IS NULL'),
  start: db.prepare<[string, string, string]>('INSERT INTO talks_on_air (stage_id, talk_id, started_at) VALUES (?, ?, ?)'),
}));

/** The stage's talk on air now, if any. */
export function talkOnAirNow(db: Database, stageId: string): TalkOnAir | undefined {
  return statements(db).current.get(stageId);
}

/**
 * Puts `talkId` on air on the stage from `now` (null: no talk), ending the one that was: returns
 * that one, ended, if there was one. Throws a SqliteError when the talk is not on the stage.
 */
export function switchTalkOnAir(db: Database, stageId: string, talkId: string | null, now = new Date()): TalkOnAir | undefined {
  const at = toIsoTime(now);
  return db.transaction(() => {
    const previous = talkOnAirNow(db, stageId);
    statements(db).end.run(at, stageId);
    if (talkId !== null) statements(db).start.run(stageId, talkId, at);
    return previous && { ...previous, endedAt: at };
  })();
}
