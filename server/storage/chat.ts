/** A stage's chat: its settings, messages and mutes. The rules are the chat room's (server/audience/chatRoom.ts). */
import type { Database } from 'better-sqlite3';
import type { ChatMessageStatus, ChatSettings } from '../../shared/chat.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export interface ChatMessageRecord {
  id: string;
  stageId: string;
  authorKey: string;
  authorName: string;
  text: string;
  status: ChatMessageStatus;
  createdAt: string;
}

const OFF: ChatSettings = { enabled: false, slowModeSeconds: 0, heldWords: [] };

const columns = 'id, stage_id AS stageId, author_key AS authorKey, author_name AS authorName, text, status, created_at AS createdAt';

const statements = preparedOnce((db) => ({
  settings: db.prepare<[string], { enabled: 0 | 1; slowModeSeconds: number; heldWords: string }>(
    'SELECT enabled, slow_mode_seconds AS slowModeSeconds, held_words AS heldWords FROM chat_settings WHERE stage_id = ?',
  ),
  saveSettings: db.prepare<[string, number, number, string]>(
    `INSERT INTO chat_settings (stage_id, enabled, slow_mode_seconds, held_words) VALUES (?, ?, ?, ?)
     ON CONFLICT (stage_id) DO UPDATE SET enabled = excluded.enabled, slow_mode_seconds = excluded.slow_mode_seconds, held_words = excluded.held_words`,
  ),
  insert: db.prepare<ChatMessageRecord>(
    'INSERT INTO chat_messages (id, stage_id, author_key, author_name, text, status, created_at) VALUES (@id, @stageId, @authorKey, @authorName, @text, @status, @createdAt)',
  ),
  find: db.prepare<[string], ChatMessageRecord>(`SELECT ${columns} FROM chat_messages WHERE id = ?`),
  latest: db.prepare<[string, number], ChatMessageRecord>(
    `SELECT * FROM (SELECT ${columns}, rowid AS seq FROM chat_messages WHERE stage_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?) ORDER BY createdAt, seq`,
  ),
  latestShown: db.prepare<[string, number], ChatMessageRecord>(
    `SELECT * FROM (SELECT ${columns}, rowid AS seq FROM chat_messages WHERE stage_id = ? AND status = 'shown' ORDER BY created_at DESC, rowid DESC LIMIT ?)
     ORDER BY createdAt, seq`,
  ),
  lastOfAuthor: db.prepare<[string, string], { createdAt: string }>(
    `SELECT created_at AS createdAt FROM chat_messages WHERE stage_id = ? AND author_key = ? ORDER BY created_at DESC LIMIT 1`,
  ),
  setStatus: db.prepare<[ChatMessageStatus, string]>('UPDATE chat_messages SET status = ? WHERE id = ?'),
  mute: db.prepare<[string, string, string]>(
    'INSERT INTO chat_mutes (stage_id, author_key, until) VALUES (?, ?, ?) ON CONFLICT (stage_id, author_key) DO UPDATE SET until = excluded.until',
  ),
  mutedUntil: db.prepare<[string, string, string], { until: string }>('SELECT until FROM chat_mutes WHERE stage_id = ? AND author_key = ? AND until > ?'),
}));

/** The stage's chat settings; a stage never set has its chat off. */
export function chatSettings(db: Database, stageId: string): ChatSettings {
  const row = statements(db).settings.get(stageId);
  return row ? { enabled: row.enabled === 1, slowModeSeconds: row.slowModeSeconds, heldWords: JSON.parse(row.heldWords) as string[] } : OFF;
}

export function saveChatSettings(db: Database, stageId: string, settings: ChatSettings): void {
  statements(db).saveSettings.run(stageId, settings.enabled ? 1 : 0, settings.slowModeSeconds, JSON.stringify(settings.heldWords));
}

export function addChatMessage(db: Database, input: Omit<ChatMessageRecord, 'id' | 'createdAt'>, now = new Date()): ChatMessageRecord {
  const message = { ...input, id: newId(), createdAt: toIsoTime(now) };
  statements(db).insert.run(message);
  return message;
}

export function findChatMessage(db: Database, id: string): ChatMessageRecord | undefined {
  return statements(db).find.get(id);
}

/** The stage's latest `limit` messages (every status), oldest first. */
export function latestChatMessages(db: Database, stageId: string, limit: number): ChatMessageRecord[] {
  return statements(db).latest.all(stageId, limit).map(withoutSequence);
}

/** The stage's latest `limit` shown messages, oldest first: what attendees see. */
export function latestShownChatMessages(db: Database, stageId: string, limit: number): ChatMessageRecord[] {
  return statements(db).latestShown.all(stageId, limit).map(withoutSequence);
}

/** When this author last sent a message on the stage (shown, held or deleted), for slow mode. */
export function lastChatMessageAt(db: Database, stageId: string, authorKey: string): string | undefined {
  return statements(db).lastOfAuthor.get(stageId, authorKey)?.createdAt;
}

export function setChatMessageStatus(db: Database, id: string, status: ChatMessageStatus): void {
  statements(db).setStatus.run(status, id);
}

export function muteChatAuthor(db: Database, stageId: string, authorKey: string, until: Date): void {
  statements(db).mute.run(stageId, authorKey, toIsoTime(until));
}

/** Until when the author is muted on the stage, if they are at `now`. */
export function chatMutedUntil(db: Database, stageId: string, authorKey: string, now = new Date()): string | undefined {
  return statements(db).mutedUntil.get(stageId, authorKey, toIsoTime(now))?.until;
}

function withoutSequence(row: ChatMessageRecord & { seq?: number }): ChatMessageRecord {
  const { id, stageId, authorKey, authorName, text, status, createdAt } = row;
  return { id, stageId, authorKey, authorName, text, status, createdAt };
}
