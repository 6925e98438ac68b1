/** Stores the demo event (server/domain/demoEvent.ts) in a fresh installation. */
import type { Database } from 'better-sqlite3';
import { DEMO_EVENT, DEMO_EVENT_ID, DEMO_PROGRAMME, DEMO_SPEAKERS, DEMO_STAGE, DEMO_STAGE_ID, type DemoSpeakerRole } from '../domain/demoEvent.js';
import { countEvents, createEvent } from './events.js';
import { createSpeaker } from './speakers.js';
import { createStage, setStageRetention } from './stages.js';
import { createTalk } from './talks.js';
import { localDate, zonedTimeToUtc } from './time.js';

export { DEMO_EVENT_ID, DEMO_STAGE_ID };

/** How long the demo stage keeps its recordings (the migration gives existing demo stages the same). */
export const DEMO_RETENTION_HOURS = 24;

/**
 * Creates the demo event if the database has no events at all, with its talks on the day of `now`
 * (Swedish time), and returns whether it did. Deleting every event brings it back on next start.
 */
export function seedDemoEvent(db: Database, now = new Date()): boolean {
  return db.transaction(() => {
    if (countEvents(db) > 0) return false;
    createEvent(db, DEMO_EVENT, now);
    createStage(db, DEMO_STAGE);
    // A demo left running records around the clock: it keeps a day.
    setStageRetention(db, DEMO_STAGE.id, DEMO_RETENTION_HOURS);
    const speakerIds = createSpeakers(db);
    const day = localDate(now, DEMO_EVENT.timeZone);
    DEMO_PROGRAMME.forEach((talk, position) =>
      createTalk(db, {
        stageId: DEMO_STAGE_ID,
        title: talk.title,
        description: talk.description,
        kind: talk.kind,
        plannedStart: zonedTimeToUtc(day, talk.start, DEMO_EVENT.timeZone),
        plannedEnd: zonedTimeToUtc(day, talk.end, DEMO_EVENT.timeZone),
        position,
        speakerIds: talk.speakers.map((role) => speakerIds[role]),
      }),
    );
    return true;
  })();
}

function createSpeakers(db: Database): Record<DemoSpeakerRole, string> {
  const entries = Object.entries(DEMO_SPEAKERS).map(([role, speaker]) => [role, createSpeaker(db, { eventId: DEMO_EVENT_ID, ...speaker }).id]);
  return Object.fromEntries(entries) as Record<DemoSpeakerRole, string>;
}
