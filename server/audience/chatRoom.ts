/**
 * Each stage's chat: off until a moderator turns it on; then attendees' messages go to everyone on
 * the stage, within length, rate and slow-mode limits, and a message with a word of the stage's
 * filter waits for a moderator instead. Moderators delete messages, release held ones and mute an
 * author for a while (chosen by one of their messages: moderators never see who sent what).
 */
import type { Database } from 'better-sqlite3';
import type { ChatAction, ChatBoard, ChatMessage, ChatSettings, ModeratorChatBoard } from '../../shared/chat.js';
import { AppError } from '../errors.js';
import {
  addChatMessage,
  type ChatMessageRecord,
  chatMutedUntil,
  chatSettings,
  findChatMessage,
  lastChatMessageAt,
  latestChatMessages,
  latestShownChatMessages,
  muteChatAuthor,
  saveChatSettings,
  setChatMessageStatus,
} from '../storage/chat.js';
import { CoalescedPushes } from './coalescedPushes.js';
import { PerMinuteLimit } from './perMinuteLimit.js';
import type { Attendee } from './questionBoard.js';

export interface ChatNotifier {
  toStage(stageId: string, board: ChatBoard): void;
  toModerators(stageId: string, board: ModeratorChatBoard): void;
}

export interface ChatRoomOptions {
  db: Database;
  notifier: ChatNotifier;
  /** Messages one attendee may send a minute, slow mode or not. */
  messagesPerMinute: number;
  pushDelayMs?: number;
  now?: () => Date;
}

/** Attendees see the latest so many messages; moderators twice as many, held and deleted ones included. */
const SHOWN_MESSAGES = 100;

export class ChatRoom {
  private readonly pushes: CoalescedPushes;
  private readonly recent: PerMinuteLimit;

  constructor(private readonly options: ChatRoomOptions) {
    this.pushes = new CoalescedPushes(options.pushDelayMs ?? 200);
    this.recent = new PerMinuteLimit(options.messagesPerMinute);
  }

  /** Sends the attendee's message: shown to everyone, or held when it has a word of the filter. Refusals say why and when to try again. */
  send(stageId: string, attendee: Attendee, input: { text: string; authorName?: string | undefined }): ChatMessage {
    const { db } = this.options;
    const settings = chatSettings(db, stageId);
    if (!settings.enabled) throw new AppError('chat_off', 'The chat of this stage is off; the moderators turn it on.');
    const now = this.now();
    const mutedUntil = chatMutedUntil(db, stageId, attendee.voterKey, now);
    if (mutedUntil) throw new AppError('chat_muted', `A moderator muted you in this chat until ${mutedUntil}.`, secondsUntil(mutedUntil, now));
    this.limitSlowMode(stageId, attendee.voterKey, settings, now);
    const sent = this.recent.take(`${stageId}\n${attendee.voterKey}`, now.getTime());
    if (sent > 0) throw new AppError('rate_limited', `You have sent ${sent} messages in the last minute; wait a moment.`, 60);
    const text = input.text.trim();
    const status = holdsFor(settings.heldWords, text) ? 'held' : 'shown';
    const message = addChatMessage(db, { stageId, authorKey: attendee.voterKey, authorName: input.authorName?.trim() ?? '', text, status }, now);
    this.changed(stageId);
    return publicMessage(message);
  }

  configure(stageId: string, settings: ChatSettings): ModeratorChatBoard {
    const heldWords = [...new Set(settings.heldWords.map((word) => word.trim().toLowerCase()).filter((word) => word !== ''))];
    saveChatSettings(this.options.db, stageId, { ...settings, heldWords });
    this.changed(stageId);
    return this.moderatorBoard(stageId);
  }

  moderate(stageId: string, messageId: string, action: ChatAction): ModeratorChatBoard {
    const { db } = this.options;
    const message = findChatMessage(db, messageId);
    if (message?.stageId !== stageId) throw new AppError('not_found', `There is no chat message "${messageId}" on stage "${stageId}".`);
    switch (action.action) {
      case 'delete':
        setChatMessageStatus(db, message.id, 'deleted');
        break;
      case 'release':
        if (message.status !== 'held') throw new AppError('conflict', 'Only a held message can be released; this one is not held.');
        setChatMessageStatus(db, message.id, 'shown');
        break;
      case 'mute':
        muteChatAuthor(db, stageId, message.authorKey, new Date(this.now().getTime() + action.minutes * 60_000));
        break;
    }
    this.changed(stageId);
    return this.moderatorBoard(stageId);
  }

  board(stageId: string): ChatBoard {
    const { enabled, slowModeSeconds } = chatSettings(this.options.db, stageId);
    return { stageId, enabled, slowModeSeconds, messages: latestShownChatMessages(this.options.db, stageId, SHOWN_MESSAGES).map(publicMessage) };
  }

  moderatorBoard(stageId: string): ModeratorChatBoard {
    const { db } = this.options;
    const { enabled, slowModeSeconds, heldWords } = chatSettings(db, stageId);
    const now = this.now();
    const messages = latestChatMessages(db, stageId, SHOWN_MESSAGES * 2).map((message) => ({
      ...publicMessage(message),
      authorMutedUntil: chatMutedUntil(db, stageId, message.authorKey, now) ?? null,
    }));
    return { stageId, enabled, slowModeSeconds, heldWords, messages };
  }

  /** Stops pushing (idempotent). */
  close(): void {
    this.pushes.close();
  }

  private limitSlowMode(stageId: string, authorKey: string, settings: ChatSettings, now: Date): void {
    if (settings.slowModeSeconds === 0) return;
    const last = lastChatMessageAt(this.options.db, stageId, authorKey);
    if (!last) return;
    const wait = Math.ceil(settings.slowModeSeconds - (now.getTime() - Date.parse(last)) / 1000);
    if (wait > 0) throw new AppError('rate_limited', `Slow mode is on: one message every ${settings.slowModeSeconds} s; wait ${wait} s.`, wait);
  }

  private changed(stageId: string): void {
    this.pushes.schedule(stageId, () => {
      this.options.notifier.toStage(stageId, this.board(stageId));
      this.options.notifier.toModerators(stageId, this.moderatorBoard(stageId));
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** Whether the text has one of the words (any case, as a whole word, so "ass" does not hold "class"). */
export function holdsFor(words: readonly string[], text: string): boolean {
  if (words.length === 0) return false;
  const textWords = new Set(text.toLocaleLowerCase().split(/[^\p{L}\p{N}]+/u));
  return words.some((word) =>
    /^[\p{L}\p{N}]+$/u.test(word) ? textWords.has(word.toLocaleLowerCase()) : text.toLocaleLowerCase().includes(word.toLocaleLowerCase()),
  );
}

function publicMessage(message: ChatMessageRecord): ChatMessage {
  const { id, authorName, text, status, createdAt } = message;
  return { id, authorName, text, status, createdAt };
}

function secondsUntil(iso: string, now: Date): number {
  return Math.max(1, Math.ceil((Date.parse(iso) - now.getTime()) / 1000));
}
