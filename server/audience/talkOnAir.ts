import type { Database } from 'better-sqlite3';
import { listTalksByStage } from '../storage/talks.js';

/**
 * The stage's talk planned to be on at `time`, if any: what a question or a poll belongs to when
 * its sender did not say. (Until the control room says which talk is on air, the plan decides.)
 */
export function talkPlannedAt(db: Database, stageId: string, time: Date): { id: string } | undefined {
  const at = time.toISOString();
  return listTalksByStage(db, stageId).find((talk) => talk.plannedStart <= at && at < talk.plannedEnd);
}
