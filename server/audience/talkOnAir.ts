/**
 * Which talk is on air on a stage: the control room sets it, or moves on to the next talk in one
 * action. Each change ends the previous talk's replay in the stage's recording there (and the new
 * talk's starts), and is pushed to everyone on the stage (`programme:onAir`).
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { StageOnAir } from '../../shared/programmeControl.js';
import { nextTalk } from '../domain/programme.js';
import { AppError } from '../errors.js';
import { listUnfinishedRecordings } from '../storage/recordings.js';
import { endTalkReplay } from '../storage/replays.js';
import { switchTalkOnAir, talkOnAirNow } from '../storage/talksOnAir.js';
import { listTalksByStage, publicTalk } from '../storage/talks.js';
import { toIsoTime } from '../storage/time.js';

export interface OnAirNotifier {
  toStage(stageId: string, onAir: StageOnAir): void;
}

/**
 * The stage's talk on air now, if any; else the talk planned to be on at `time`: what a question or
 * a poll belongs to when its sender did not say.
 */
export function currentTalkAt(db: Database, stageId: string, time: Date): { id: string } | undefined {
  const onAir = talkOnAirNow(db, stageId);
  if (onAir) return { id: onAir.talkId };
  const at = time.toISOString();
  return listTalksByStage(db, stageId).find((talk) => talk.plannedStart <= at && at < talk.plannedEnd);
}

/** What the stage's pages show: the talk on air and since when, and the talk after it (or, with none on air, the next by the plan). */
export function stageOnAir(db: Database, stageId: string, now = new Date()): StageOnAir {
  const talks = listTalksByStage(db, stageId);
  const onAir = talkOnAirNow(db, stageId);
  const talk = onAir && talks.find((candidate) => candidate.id === onAir.talkId);
  const next = nextTalk(talks, talk?.id, toIsoTime(now));
  return { stageId, talk: talk ? publicTalk(talk) : null, since: onAir?.startedAt ?? null, next: next ? publicTalk(next) : null };
}

export class TalkOnAirDesk {
  constructor(private readonly options: { db: Database; notifier: OnAirNotifier; logger: Logger; now?: () => Date }) {}

  /** Puts the talk on air now (null: none); the talk that was on air ends its replay here. */
  set(stageId: string, talkId: string | null): StageOnAir {
    const { db } = this.options;
    const now = this.now();
    if (talkId !== null && !listTalksByStage(db, stageId).some((talk) => talk.id === talkId)) {
      throw new AppError('invalid_payload', `Invalid talkId: there is no talk "${talkId}" on stage "${stageId}".`);
    }
    if (talkOnAirNow(db, stageId)?.talkId === talkId) return stageOnAir(db, stageId, now);
    const ended = db.transaction(() => {
      const previous = switchTalkOnAir(db, stageId, talkId, now);
      const recording = listUnfinishedRecordings(db).find((candidate) => candidate.stageId === stageId);
      return { previous, replay: previous && recording ? endTalkReplay(db, recording.id, previous.talkId, now) : undefined };
    })();
    this.options.logger.info({ stage: stageId, talk: talkId, ended: ended.previous?.talkId, replay: ended.replay?.id }, 'talk on air');
    const state = stageOnAir(db, stageId, now);
    this.options.notifier.toStage(stageId, state);
    return state;
  }

  /** Moves on to the talk after the one on air (with none on air, the next by the plan). */
  next(stageId: string): StageOnAir {
    const current = stageOnAir(this.options.db, stageId, this.now());
    if (!current.next) {
      throw new AppError(
        'conflict',
        current.talk
          ? `"${current.talk.title}" is the last talk on this stage; end it by setting no talk on air.`
          : 'This stage has no talk left in its programme.',
      );
    }
    return this.set(stageId, current.next.id);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
