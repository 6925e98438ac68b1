/**
 * The archive: replays by talk, newest first, found by words from the talk's title, description
 * or speakers' names (FTS5, table talk_search of migration 3), filtered by event and stage.
 */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { fromReplays, replayColumns, type TalkReplay } from './replays.js';

export interface ArchiveFilter {
  /** Words as a visitor types them; every word must match (as a word or the start of one). */
  query?: string;
  eventId?: string;
  stageId?: string;
}

export interface ArchivedReplay extends TalkReplay {
  eventId: string;
  stageTitle: string;
  description: string;
}

/** Enough words for any real search; more only makes the query slower. */
const MAX_WORDS = 8;

const statements = preparedOnce((db) => ({
  search: db.prepare<{ match: string | null; eventId: string | null; stageId: string | null }, ArchivedReplay>(
    `SELECT ${replayColumns}, st.event_id AS eventId, st.title AS stageTitle, t.description
       ${fromReplays} JOIN stages st ON st.id = rec.stage_id JOIN talks t ON t.id = r.talk_id
      WHERE (@eventId IS NULL OR st.event_id = @eventId)
        AND (@stageId IS NULL OR rec.stage_id = @stageId)
        AND (@match IS NULL OR r.talk_id IN (SELECT talk_id FROM talk_search WHERE talk_search MATCH @match))
      ORDER BY r.in_at DESC, r.id`,
  ),
}));

/**
 * The FTS5 query for what a visitor typed: each word quoted (so FTS5 syntax in it means nothing)
 * as a prefix. Null when nothing searchable is left: then nothing is filtered by words.
 */
export function ftsQuery(text: string): string | null {
  const words = text
    .normalize('NFC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, MAX_WORDS);
  return words.length === 0 ? null : words.map((word) => `"${word}"*`).join(' ');
}

export function searchArchive(db: Database, filter: ArchiveFilter = {}): ArchivedReplay[] {
  return statements(db).search.all({
    match: filter.query === undefined ? null : ftsQuery(filter.query),
    eventId: filter.eventId ?? null,
    stageId: filter.stageId ?? null,
  });
}
