/**
 * The schema's history. Each migration runs once, in its own transaction, and is recorded in
 * schema_migrations. Applied migrations are never edited: a change to the schema is a new entry
 * at the end of the list, so every database, old or new, ends up with the same tables.
 */
import type { Database } from 'better-sqlite3';
import { StorageError } from './errors.js';
import { toIsoTime } from './time.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/*
 * Conventions of the schema:
 * - STRICT tables, so a wrong type is refused instead of silently stored.
 * - ids are TEXT: slugs where they are part of a URL (events, stages), random UUIDs elsewhere.
 * - times are ISO-8601 UTC strings in one fixed shape (see time.ts); the CHECKs refuse any other,
 *   because comparisons and ordering in SQL rely on it.
 */
const initialSchema = `
CREATE TABLE events (
  id               TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id GLOB '[a-z0-9]*' AND id NOT GLOB '*[^a-z0-9-]*'),
  title            TEXT NOT NULL CHECK (length(title) > 0),
  description      TEXT NOT NULL DEFAULT '',
  time_zone        TEXT NOT NULL CHECK (length(time_zone) > 0),
  language         TEXT NOT NULL CHECK (length(language) > 0),
  visibility       TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
  access_code_hash TEXT,
  created_at       TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at),
  updated_at       TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', updated_at) = updated_at)
) STRICT;

-- A stage id is its /watch/<stage> URL, so it is unique across all events.
CREATE TABLE stages (
  id       TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id GLOB '[a-z0-9]*' AND id NOT GLOB '*[^a-z0-9-]*'),
  event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  title    TEXT NOT NULL CHECK (length(title) > 0),
  position INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX stages_by_event ON stages (event_id, position);

CREATE TABLE speakers (
  id           TEXT PRIMARY KEY,
  event_id     TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  name         TEXT NOT NULL CHECK (length(name) > 0),
  organisation TEXT NOT NULL DEFAULT '',
  bio          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX speakers_by_event ON speakers (event_id, name);

CREATE TABLE talks (
  id            TEXT PRIMARY KEY,
  stage_id      TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  title         TEXT NOT NULL CHECK (length(title) > 0),
  description   TEXT NOT NULL DEFAULT '',
  kind          TEXT NOT NULL CHECK (kind IN ('talk', 'panel', 'break')),
  planned_start TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', planned_start) = planned_start),
  planned_end   TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', planned_end) = planned_end),
  position      INTEGER NOT NULL DEFAULT 0,
  CHECK (planned_end > planned_start)
) STRICT;
CREATE INDEX talks_by_stage ON talks (stage_id, planned_start, position);

CREATE TABLE talk_speakers (
  talk_id    TEXT NOT NULL REFERENCES talks (id) ON DELETE CASCADE,
  speaker_id TEXT NOT NULL REFERENCES speakers (id) ON DELETE CASCADE,
  position   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (talk_id, speaker_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX talk_speakers_by_speaker ON talk_speakers (speaker_id);

-- A talk's speakers come from the talk's own event; a foreign key cannot say that.
CREATE TRIGGER talk_speakers_same_event BEFORE INSERT ON talk_speakers
WHEN (SELECT event_id FROM speakers WHERE id = NEW.speaker_id)
  IS NOT (SELECT stages.event_id FROM talks JOIN stages ON stages.id = talks.stage_id WHERE talks.id = NEW.talk_id)
BEGIN
  SELECT RAISE(ABORT, 'talk_speakers: the speaker belongs to another event than the talk');
END;

CREATE TABLE registrations (
  id               TEXT PRIMARY KEY,
  event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  name             TEXT NOT NULL CHECK (length(name) > 0),
  email            TEXT NOT NULL CHECK (length(email) > 0),
  email_normalized TEXT NOT NULL CHECK (length(email_normalized) > 0),
  token_hash       TEXT NOT NULL UNIQUE,
  created_at       TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at),
  UNIQUE (event_id, email_normalized)
) STRICT;
CREATE INDEX registrations_by_event ON registrations (event_id, created_at);

CREATE TABLE questions (
  id              TEXT PRIMARY KEY,
  stage_id        TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  talk_id         TEXT REFERENCES talks (id) ON DELETE SET NULL,
  registration_id TEXT REFERENCES registrations (id) ON DELETE SET NULL,
  author_name     TEXT NOT NULL,
  text            TEXT NOT NULL CHECK (length(text) > 0),
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'answered', 'rejected')),
  created_at      TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at)
) STRICT;
CREATE INDEX questions_by_stage ON questions (stage_id, status, created_at);
CREATE INDEX questions_by_talk ON questions (talk_id);
CREATE INDEX questions_by_registration ON questions (registration_id);

CREATE TABLE technicians (
  id            TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) > 0),
  password_hash TEXT NOT NULL,
  created_at    TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at)
) STRICT;

CREATE TABLE auth_sessions (
  token_hash    TEXT PRIMARY KEY,
  technician_id TEXT NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
  created_at    TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at),
  expires_at    TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', expires_at) = expires_at),
  CHECK (expires_at > created_at)
) STRICT, WITHOUT ROWID;
CREATE INDEX auth_sessions_by_expiry ON auth_sessions (expires_at);
CREATE INDEX auth_sessions_by_technician ON auth_sessions (technician_id);

CREATE TABLE speaker_invites (
  id         TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  stage_id   TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  -- An invite for a deleted talk goes with it rather than widening to the whole stage.
  talk_id    TEXT REFERENCES talks (id) ON DELETE CASCADE,
  label      TEXT NOT NULL DEFAULT '',
  expires_at TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', expires_at) = expires_at),
  revoked_at TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', revoked_at) = revoked_at),
  created_at TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at)
) STRICT;
CREATE INDEX speaker_invites_by_stage ON speaker_invites (stage_id, created_at);
CREATE INDEX speaker_invites_by_talk ON speaker_invites (talk_id);

CREATE TRIGGER speaker_invites_talk_on_stage BEFORE INSERT ON speaker_invites
WHEN NEW.talk_id IS NOT NULL AND (SELECT stage_id FROM talks WHERE id = NEW.talk_id) IS NOT NEW.stage_id
BEGIN
  SELECT RAISE(ABORT, 'speaker_invites: the talk is not on the invite''s stage');
END;

CREATE TABLE recordings (
  id               TEXT PRIMARY KEY,
  stage_id         TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  status           TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted', 'failed')),
  started_at       TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', started_at) = started_at),
  ended_at         TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', ended_at) = ended_at),
  duration_seconds REAL NOT NULL DEFAULT 0 CHECK (duration_seconds >= 0),
  size_bytes       INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
  failure_reason   TEXT,
  -- Only a recording in progress has no end.
  CHECK ((status = 'recording') = (ended_at IS NULL)),
  CHECK (ended_at >= started_at),
  CHECK (failure_reason IS NULL OR status IN ('failed', 'interrupted'))
) STRICT;
CREATE INDEX recordings_by_stage ON recordings (stage_id, started_at);
CREATE INDEX recordings_in_progress ON recordings (status) WHERE status = 'recording';

-- One row per viewer connection; viewer_key tells connections of the same viewer apart from others.
CREATE TABLE viewings (
  id         TEXT PRIMARY KEY,
  stage_id   TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  viewer_key TEXT NOT NULL CHECK (length(viewer_key) > 0),
  started_at TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', started_at) = started_at),
  ended_at   TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', ended_at) = ended_at),
  CHECK (ended_at >= started_at)
) STRICT;
CREATE INDEX viewings_by_stage ON viewings (stage_id, started_at);
CREATE INDEX viewings_open ON viewings (stage_id) WHERE ended_at IS NULL;
`;

/**
 * Recorded HLS segments, so playlists can be rebuilt after a crash and cut into per-talk replays
 * without reading files; and the replays themselves, whose in and out points technicians adjust.
 */
const recordingSegmentsSchema = `
CREATE TABLE recording_segments (
  recording_id      TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  sequence          INTEGER NOT NULL CHECK (sequence >= 0),
  file              TEXT NOT NULL CHECK (file GLOB '[A-Za-z0-9]*' AND file NOT GLOB '*[^A-Za-z0-9._-]*'),
  duration_seconds  REAL NOT NULL CHECK (duration_seconds > 0),
  program_date_time TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', program_date_time) = program_date_time),
  -- 1 when the stream's parameters may have changed before this segment (a new ffmpeg run).
  discontinuity     INTEGER NOT NULL DEFAULT 0 CHECK (discontinuity IN (0, 1)),
  size_bytes        INTEGER NOT NULL CHECK (size_bytes >= 0),
  PRIMARY KEY (recording_id, sequence)
) STRICT, WITHOUT ROWID;

CREATE TABLE talk_replays (
  id           TEXT PRIMARY KEY,
  talk_id      TEXT NOT NULL REFERENCES talks (id) ON DELETE CASCADE,
  recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  in_at        TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', in_at) = in_at),
  out_at       TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', out_at) = out_at),
  CHECK (out_at > in_at),
  UNIQUE (talk_id, recording_id)
) STRICT;
CREATE INDEX talk_replays_by_recording ON talk_replays (recording_id);
`;

/**
 * What the recorder found gone or changed on disk: a segment no longer there as written is kept
 * (its sequence stays taken) but marked lost and no longer listed; the recording says why.
 */
const recordingDamageSchema = `
ALTER TABLE recording_segments ADD COLUMN lost INTEGER NOT NULL DEFAULT 0 CHECK (lost IN (0, 1));
ALTER TABLE recordings ADD COLUMN damage TEXT;
`;

/**
 * Full-text search over talks for the archive: title, description and speaker names, kept in step
 * by triggers. remove_diacritics lets "halsa" find "hälsa".
 */
const talkSearchSchema = `
CREATE VIRTUAL TABLE talk_search USING fts5(
  talk_id UNINDEXED, title, description, speakers,
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER talk_search_insert AFTER INSERT ON talks BEGIN
  INSERT INTO talk_search (talk_id, title, description, speakers) VALUES (new.id, new.title, new.description, '');
END;
CREATE TRIGGER talk_search_update AFTER UPDATE OF title, description ON talks BEGIN
  UPDATE talk_search SET title = new.title, description = new.description WHERE talk_id = new.id;
END;
CREATE TRIGGER talk_search_delete AFTER DELETE ON talks BEGIN
  DELETE FROM talk_search WHERE talk_id = old.id;
END;
CREATE TRIGGER talk_search_speaker_added AFTER INSERT ON talk_speakers BEGIN
  UPDATE talk_search SET speakers = (
    SELECT group_concat(s.name, ' ') FROM talk_speakers ts JOIN speakers s ON s.id = ts.speaker_id WHERE ts.talk_id = new.talk_id
  ) WHERE talk_id = new.talk_id;
END;
CREATE TRIGGER talk_search_speaker_removed AFTER DELETE ON talk_speakers BEGIN
  UPDATE talk_search SET speakers = coalesce((
    SELECT group_concat(s.name, ' ') FROM talk_speakers ts JOIN speakers s ON s.id = ts.speaker_id WHERE ts.talk_id = old.talk_id
  ), '') WHERE talk_id = old.talk_id;
END;
CREATE TRIGGER talk_search_speaker_renamed AFTER UPDATE OF name ON speakers BEGIN
  UPDATE talk_search SET speakers = (
    SELECT group_concat(s.name, ' ') FROM talk_speakers ts JOIN speakers s ON s.id = ts.speaker_id WHERE ts.talk_id = talk_search.talk_id
  ) WHERE talk_id IN (SELECT talk_id FROM talk_speakers WHERE speaker_id = new.id);
END;
INSERT INTO talk_search (talk_id, title, description, speakers)
  SELECT t.id, t.title, t.description, coalesce((
    SELECT group_concat(s.name, ' ') FROM talk_speakers ts JOIN speakers s ON s.id = ts.speaker_id WHERE ts.talk_id = t.id
  ), '') FROM talks t;
`;

/**
 * Where production tools (vMix, OBS, hardware encoders) send a stage's program feed. The secret
 * (stream key, SRT passphrase, WHIP token) is not stored: it is signed from the id and the
 * generation, which rotating increments. Each active SRT or RTMP point holds its own listen port.
 */
const ingestPointsSchema = `
CREATE TABLE ingest_points (
  id         TEXT PRIMARY KEY,
  stage_id   TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  protocol   TEXT NOT NULL CHECK (protocol IN ('srt', 'rtmp', 'whip')),
  label      TEXT NOT NULL DEFAULT '',
  port       INTEGER CHECK (port BETWEEN 1 AND 65535),
  generation INTEGER NOT NULL DEFAULT 1 CHECK (generation >= 1),
  created_at TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at),
  rotated_at TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', rotated_at) = rotated_at),
  revoked_at TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', revoked_at) = revoked_at),
  -- WHIP arrives over the HTTP port; SRT and RTMP listen on a port of their own.
  CHECK ((protocol = 'whip') = (port IS NULL))
) STRICT;
CREATE INDEX ingest_points_by_stage ON ingest_points (stage_id, created_at);
CREATE UNIQUE INDEX ingest_points_active_port ON ingest_points (port) WHERE revoked_at IS NULL AND port IS NOT NULL;
`;

/**
 * Moderated audience questions. The status check changes (declined replaces rejected, merged is
 * new), which SQLite can only do by rebuilding the table. Each attendee is a voter key (their
 * registration, else a hash of their browser's key), so a vote holds across reconnects; a group
 * ("we are 4 here") is one voter whose votes weigh its size. A merged question points to the one
 * it joined; its voters are copied there, so the survivor counts each attendee once. Pins keep
 * when a question was on screen, for replays to show it at the same moment.
 */
const questionModerationSchema = `
CREATE TABLE questions_moderated (
  id              TEXT PRIMARY KEY,
  stage_id        TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  talk_id         TEXT REFERENCES talks (id) ON DELETE SET NULL,
  registration_id TEXT REFERENCES registrations (id) ON DELETE SET NULL,
  asker_key       TEXT NOT NULL DEFAULT '',
  author_name     TEXT NOT NULL,
  text            TEXT NOT NULL CHECK (length(text) > 0),
  original_text   TEXT,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'answered', 'declined', 'merged')),
  merged_into     TEXT REFERENCES questions_moderated (id) ON DELETE SET NULL,
  position        INTEGER,
  created_at      TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at),
  CHECK ((status = 'merged') = (merged_into IS NOT NULL))
) STRICT;
INSERT INTO questions_moderated (id, stage_id, talk_id, registration_id, author_name, text, status, created_at)
  SELECT id, stage_id, talk_id, registration_id, author_name, text, CASE status WHEN 'rejected' THEN 'declined' ELSE status END, created_at
  FROM questions;
DROP TABLE questions;
ALTER TABLE questions_moderated RENAME TO questions;
CREATE INDEX questions_by_stage ON questions (stage_id, status, created_at);
CREATE INDEX questions_by_talk ON questions (talk_id);
CREATE INDEX questions_by_registration ON questions (registration_id);
CREATE INDEX questions_by_asker ON questions (stage_id, asker_key);

CREATE TABLE question_votes (
  question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
  voter_key   TEXT NOT NULL CHECK (length(voter_key) > 0),
  created_at  TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at),
  PRIMARY KEY (question_id, voter_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE question_groups (
  stage_id  TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  voter_key TEXT NOT NULL CHECK (length(voter_key) > 0),
  size      INTEGER NOT NULL CHECK (size >= 1),
  PRIMARY KEY (stage_id, voter_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE question_pins (
  id          TEXT PRIMARY KEY,
  stage_id    TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
  pinned_at   TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', pinned_at) = pinned_at),
  unpinned_at TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', unpinned_at) = unpinned_at)
) STRICT;
CREATE UNIQUE INDEX question_pins_one_on_screen ON question_pins (stage_id) WHERE unpinned_at IS NULL;
CREATE INDEX question_pins_by_stage ON question_pins (stage_id, pinned_at);
`;

/**
 * Polls a moderator opens for a stage's attendees: single or multiple choice, one ballot per
 * voter key (as question votes), kept with the talk after they close.
 */
const pollsSchema = `
CREATE TABLE polls (
  id         TEXT PRIMARY KEY,
  stage_id   TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  talk_id    TEXT REFERENCES talks (id) ON DELETE SET NULL,
  question   TEXT NOT NULL CHECK (length(question) > 0),
  multiple   INTEGER NOT NULL CHECK (multiple IN (0, 1)),
  opened_at  TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', opened_at) = opened_at),
  closed_at  TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', closed_at) = closed_at)
) STRICT;
CREATE INDEX polls_by_stage ON polls (stage_id, opened_at);
CREATE INDEX polls_by_talk ON polls (talk_id);

CREATE TABLE poll_options (
  poll_id  TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 0),
  label    TEXT NOT NULL CHECK (length(label) > 0),
  PRIMARY KEY (poll_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE poll_ballots (
  poll_id   TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
  voter_key TEXT NOT NULL CHECK (length(voter_key) > 0),
  position  INTEGER NOT NULL,
  cast_at   TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', cast_at) = cast_at),
  PRIMARY KEY (poll_id, voter_key, position),
  FOREIGN KEY (poll_id, position) REFERENCES poll_options (poll_id, position)
) STRICT, WITHOUT ROWID;
`;

/**
 * Technicians who are disabled can no longer sign in (their sessions end); every action a
 * technician takes through the API is kept in the audit log, which outlives the technician.
 */
const technicianAuditSchema = `
ALTER TABLE technicians ADD COLUMN disabled_at TEXT CHECK (disabled_at IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', disabled_at) = disabled_at);

CREATE TABLE audit_log (
  id            INTEGER PRIMARY KEY,
  technician_id TEXT REFERENCES technicians (id) ON DELETE SET NULL,
  -- Kept as it was when the action was taken.
  username      TEXT NOT NULL,
  action        TEXT NOT NULL CHECK (length(action) > 0),
  -- What the action was about (path parameters), as JSON.
  subject       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(subject)),
  status        INTEGER NOT NULL,
  created_at    TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at)
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log (created_at);
`;

/** Main or backup feed of its stage: a backup goes on air only while no main feed sends media. */
const ingestPointRolesSchema = `
ALTER TABLE ingest_points ADD COLUMN role TEXT NOT NULL DEFAULT 'main' CHECK (role IN ('main', 'backup'));
`;

/**
 * How long a stage's recordings are kept after they end; null keeps them. The demo stage of an
 * installation left running keeps a day, so its recordings do not fill the disk.
 */
const recordingRetentionSchema = `
ALTER TABLE stages ADD COLUMN retention_hours INTEGER CHECK (retention_hours IS NULL OR retention_hours BETWEEN 1 AND 87600);
UPDATE stages SET retention_hours = 24 WHERE id = 'demo';
`;

/**
 * Each stage's slate: the image a technician uploaded (a file in the data folder; none: the default
 * one) and whether a technician put the slate up on purpose.
 */
const stageSlatesSchema = `
CREATE TABLE stage_slates (
  stage_id     TEXT PRIMARY KEY REFERENCES stages (id) ON DELETE CASCADE,
  image_file   TEXT CHECK (image_file IS NULL OR length(image_file) BETWEEN 1 AND 200),
  image_type   TEXT CHECK (image_type IS NULL OR image_type IN ('image/png', 'image/jpeg')),
  image_at     TEXT,
  up           INTEGER NOT NULL DEFAULT 0 CHECK (up IN (0, 1))
) STRICT;
`;

/**
 * What the control room runs: the talk on air on each stage and since when (a row per time a talk
 * was on air, so per-talk replays follow what happened rather than the plan), chapter markers set
 * while recording, and whether a stage is to be recorded while it is live.
 */
const controlRoomProgrammeSchema = `
CREATE TABLE talks_on_air (
  id         INTEGER PRIMARY KEY,
  stage_id   TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  talk_id    TEXT NOT NULL REFERENCES talks (id) ON DELETE CASCADE,
  started_at TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', started_at) = started_at),
  ended_at   TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', ended_at) = ended_at),
  CHECK (ended_at >= started_at)
) STRICT;
-- At most one talk is on air on a stage.
CREATE UNIQUE INDEX talks_on_air_now ON talks_on_air (stage_id) WHERE ended_at IS NULL;
CREATE INDEX talks_on_air_by_stage ON talks_on_air (stage_id, started_at);
CREATE INDEX talks_on_air_by_talk ON talks_on_air (talk_id);

CREATE TRIGGER talks_on_air_talk_on_stage BEFORE INSERT ON talks_on_air
WHEN (SELECT stage_id FROM talks WHERE id = NEW.talk_id) IS NOT NEW.stage_id
BEGIN
  SELECT RAISE(ABORT, 'talks_on_air: the talk is not on that stage');
END;

CREATE TABLE chapter_markers (
  id           TEXT PRIMARY KEY,
  recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  at           TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', at) = at),
  -- Empty: the player names it by its time.
  title        TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 200)
) STRICT;
CREATE INDEX chapter_markers_by_recording ON chapter_markers (recording_id, at);

ALTER TABLE stages ADD COLUMN recorded INTEGER NOT NULL DEFAULT 1 CHECK (recorded IN (0, 1));
`;

/**
 * Alerts of the control room, kept until a technician acknowledges them, and the webhooks that
 * carry them elsewhere with each delivery's outcome. An alert names its stage by id without a
 * reference: it stays in the record when the stage is deleted.
 */
const alertsAndWebhooksSchema = `
CREATE TABLE alerts (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('feed_lost', 'bitrate_collapsed', 'frame_rate_collapsed', 'recording_failed',
                                                'recording_restarted', 'worker_restarted', 'viewers_dropped', 'disk_nearly_full')),
  severity        TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
  stage_id        TEXT,
  subject         TEXT NOT NULL,
  message         TEXT NOT NULL CHECK (length(message) > 0),
  details         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
  raised_at       TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', raised_at) = raised_at),
  cleared_at      TEXT CHECK (cleared_at IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', cleared_at) = cleared_at),
  acknowledged_at TEXT CHECK (acknowledged_at IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', acknowledged_at) = acknowledged_at),
  acknowledged_by TEXT,
  CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
) STRICT;
-- At most one open alert of a kind about one subject: the same trouble is not raised twice.
CREATE UNIQUE INDEX alerts_open_by_subject ON alerts (kind, subject) WHERE acknowledged_at IS NULL;
CREATE INDEX alerts_by_time ON alerts (raised_at);

CREATE TABLE webhooks (
  id         TEXT PRIMARY KEY,
  url        TEXT NOT NULL CHECK (url GLOB 'http://*' OR url GLOB 'https://*'),
  -- Needed as it is to sign each delivery.
  secret     TEXT NOT NULL CHECK (length(secret) >= 16),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at)
) STRICT;

CREATE TABLE webhook_deliveries (
  id               TEXT PRIMARY KEY,
  webhook_id       TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event            TEXT NOT NULL,
  -- The exact bytes sent (and signed) on every try.
  body             TEXT NOT NULL CHECK (json_valid(body)),
  status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  last_status_code INTEGER,
  last_error       TEXT,
  created_at       TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at),
  last_attempt_at  TEXT,
  next_attempt_at  TEXT,
  delivered_at     TEXT
) STRICT;
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (status) WHERE status = 'pending';
`;

/**
 * An invite now says what its link opens: going on air (speaker) or moderating the stage's
 * audience (moderator). And each stage's chat: off until turned on, its messages, its mutes.
 */
const moderatorsAndChatSchema = `
ALTER TABLE speaker_invites ADD COLUMN role TEXT NOT NULL DEFAULT 'speaker' CHECK (role IN ('speaker', 'moderator'));

CREATE TABLE chat_settings (
  stage_id          TEXT PRIMARY KEY REFERENCES stages (id) ON DELETE CASCADE,
  enabled           INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
  slow_mode_seconds INTEGER NOT NULL DEFAULT 0 CHECK (slow_mode_seconds BETWEEN 0 AND 3600),
  -- The word filter: a JSON array of words that hold a message for moderation.
  held_words        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(held_words) AND json_type(held_words) = 'array')
) STRICT;

CREATE TABLE chat_messages (
  id          TEXT PRIMARY KEY,
  stage_id    TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  -- The sender as a voter key (registration or hashed browser key), as for questions; never shown.
  author_key  TEXT NOT NULL,
  author_name TEXT NOT NULL DEFAULT '',
  text        TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('shown', 'held', 'deleted')),
  created_at  TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', created_at) = created_at)
) STRICT;
CREATE INDEX chat_messages_by_stage ON chat_messages (stage_id, created_at);
CREATE INDEX chat_messages_by_author ON chat_messages (stage_id, author_key, created_at);

CREATE TABLE chat_mutes (
  stage_id   TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  author_key TEXT NOT NULL,
  until      TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', until) = until),
  PRIMARY KEY (stage_id, author_key)
) STRICT;
`;

/**
 * What the technicians put on air, kept across restarts: the invited speakers they took to air
 * (the others wait backstage) and each stage's last Take, by feed (who sends it and its source,
 * e.g. "invite:<id>/camera") rather than by producer, whose ids do not outlive a connection.
 */
const backstagePlacementsSchema = `
CREATE TABLE speakers_on_air (
  stage_id  TEXT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  invite_id TEXT NOT NULL REFERENCES speaker_invites (id) ON DELETE CASCADE,
  PRIMARY KEY (stage_id, invite_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX speakers_on_air_by_invite ON speakers_on_air (invite_id);

CREATE TABLE program_takes (
  stage_id   TEXT PRIMARY KEY REFERENCES stages (id) ON DELETE CASCADE,
  main_feed  TEXT CHECK (length(main_feed) > 0),
  inset_feed TEXT CHECK (length(inset_feed) > 0)
) STRICT;
`;

/**
 * A new alert kind, feed_switched (a stage switched between its main and backup feeds). The kind
 * check can only change by rebuilding the table, the way SQLite's docs prescribe: a new table,
 * the rows copied, the old one dropped and the new one renamed, its indexes made again.
 */
const feedSwitchedAlertsSchema = `
CREATE TABLE alerts_with_feed_switches (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('feed_lost', 'bitrate_collapsed', 'frame_rate_collapsed', 'recording_failed',
                                                'recording_restarted', 'worker_restarted', 'viewers_dropped', 'disk_nearly_full',
                                                'feed_switched')),
  severity        TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
  stage_id        TEXT,
  subject         TEXT NOT NULL,
  message         TEXT NOT NULL CHECK (length(message) > 0),
  details         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
  raised_at       TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', raised_at) = raised_at),
  cleared_at      TEXT CHECK (cleared_at IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', cleared_at) = cleared_at),
  acknowledged_at TEXT CHECK (acknowledged_at IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', acknowledged_at) = acknowledged_at),
  acknowledged_by TEXT,
  CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
) STRICT;
INSERT INTO alerts_with_feed_switches (id, kind, severity, stage_id, subject, message, details, raised_at, cleared_at, acknowledged_at, acknowledged_by)
  SELECT id, kind, severity, stage_id, subject, message, details, raised_at, cleared_at, acknowledged_at, acknowledged_by FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_with_feed_switches RENAME TO alerts;
CREATE UNIQUE INDEX alerts_open_by_subject ON alerts (kind, subject) WHERE acknowledged_at IS NULL;
CREATE INDEX alerts_by_time ON alerts (raised_at);
`;

/** Who organises an event (a municipality, a region), shown with its title; empty until set. */
const eventOrganiserSchema = `
ALTER TABLE events ADD COLUMN organiser TEXT NOT NULL DEFAULT '' CHECK (length(organiser) <= 200);
`;

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: initialSchema },
  { version: 2, name: 'recording segments and talk replays', sql: recordingSegmentsSchema },
  { version: 3, name: 'lost segments and damaged recordings', sql: recordingDamageSchema },
  { version: 4, name: 'full-text search over talks', sql: talkSearchSchema },
  { version: 5, name: 'ingest points', sql: ingestPointsSchema },
  { version: 6, name: 'question moderation, votes and pins', sql: questionModerationSchema },
  { version: 7, name: 'polls', sql: pollsSchema },
  { version: 8, name: 'disabled technicians and the audit log', sql: technicianAuditSchema },
  { version: 9, name: 'ingest point roles', sql: ingestPointRolesSchema },
  { version: 10, name: 'recording retention per stage', sql: recordingRetentionSchema },
  { version: 11, name: 'moderator invites and stage chat', sql: moderatorsAndChatSchema },
  { version: 12, name: 'alerts and webhooks', sql: alertsAndWebhooksSchema },
  { version: 13, name: 'talks on air, chapter markers and recording control', sql: controlRoomProgrammeSchema },
  { version: 14, name: 'stage slates', sql: stageSlatesSchema },
  { version: 15, name: 'speakers on air and program takes', sql: backstagePlacementsSchema },
  { version: 16, name: 'feed switch alerts', sql: feedSwitchedAlertsSchema },
  { version: 17, name: 'event organisers', sql: eventOrganiserSchema },
];

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

/** The highest migration version applied to `db`, 0 for an empty database. */
export function schemaVersion(db: Database): number {
  const row = db.prepare<[], { version: number | null }>('SELECT max(version) AS version FROM schema_migrations').get();
  return row?.version ?? 0;
}

/**
 * Brings the schema up to date and returns the versions it applied (empty when it already was).
 * Refuses a database written by a newer Estrad: running old code against a newer schema would
 * quietly misread or damage it.
 */
export function migrate(db: Database, list: readonly Migration[] = migrations): number[] {
  assertWellOrdered(list);
  db.exec(createMigrationsTable);
  refuseNewerSchema(db, list);
  const applied: number[] = [];
  // Foreign keys are switched off while migrating, as SQLite's docs prescribe for schema changes
  // that rebuild tables; foreign_key_check then verifies nothing was left dangling.
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of list) {
      if (applyOnce(db, migration)) applied.push(migration.version);
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
  return applied;
}

function assertWellOrdered(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration "${migration.name}" has version ${migration.version}; expected ${index + 1} (versions run 1, 2, 3, … without gaps)`);
    }
  });
}

function refuseNewerSchema(db: Database, list: readonly Migration[]): void {
  const found = schemaVersion(db);
  const known = list.length;
  if (found <= known) return;
  throw new StorageError(
    `The database ${db.name} has schema version ${found}, but this Estrad only knows versions up to ${known}: it was written by a newer Estrad.`,
    'Run that newer Estrad version (or newer), or restore a backup of the database taken before the upgrade.',
  );
}

/**
 * IMMEDIATE takes the write lock before checking, so two processes starting at once cannot both
 * decide that a migration is still to do.
 */
function applyOnce(db: Database, migration: Migration): boolean {
  const apply = db.transaction(() => {
    const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
    if (done) return false;
    db.exec(migration.sql);
    assertNoDanglingReferences(db, migration);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, toIsoTime(new Date()));
    return true;
  });
  return apply.immediate();
}

function assertNoDanglingReferences(db: Database, migration: Migration): void {
  const problems = db.pragma('foreign_key_check') as { table: string; parent: string }[];
  const first = problems[0];
  if (!first) return;
  throw new Error(`migration ${migration.version} ("${migration.name}") leaves rows of ${first.table} pointing at missing ${first.parent} rows`);
}
