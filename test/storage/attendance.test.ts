import { describe, expect, it } from 'vitest';
import { mergeOverlapping, peakConcurrency } from '../../server/domain/attendance.js';
import { attendanceByTalk } from '../../server/storage/attendance.js';
import type { Database } from '../../server/storage/database.js';
import { createStage } from '../../server/storage/stages.js';
import { createTalk } from '../../server/storage/talks.js';
import { endViewing, startViewing } from '../../server/storage/viewings.js';
import { createEventWithStage, openTempDatabase, sampleEvent } from './helpers.js';

const at = (clock: string) => new Date(`2026-05-20T${clock}:00.000Z`);

function view(db: Database, stageId: string, viewerKey: string, from: string, to?: string): void {
  const id = startViewing(db, { stageId, viewerKey }, at(from));
  if (to) endViewing(db, id, at(to));
}

/**
 * Stage `main`: talk A 10:00–11:00, talk B 11:00–11:30, talk D 12:00–12:30.
 * Stage `side`: talk C 10:00–11:00. All times UTC.
 */
function conference(db: Database): Record<'a' | 'b' | 'c' | 'd', string> {
  createEventWithStage(db, sampleEvent.id, 'main');
  createStage(db, { id: 'side', eventId: sampleEvent.id, title: 'Sidoscenen', position: 1 });
  const talk = (stageId: string, title: string, from: string, to: string) =>
    createTalk(db, { stageId, title, kind: 'talk', plannedStart: at(from), plannedEnd: at(to) }).id;
  return {
    a: talk('main', 'A', '10:00', '11:00'),
    b: talk('main', 'B', '11:00', '11:30'),
    d: talk('main', 'D', '12:00', '12:30'),
    c: talk('side', 'C', '10:00', '11:00'),
  };
}

describe('attendance per talk', () => {
  it('counts peak, unique viewers and average minutes within each talk’s planned time', () => {
    const db = openTempDatabase();
    const talks = conference(db);
    view(db, 'main', 'alice', '09:50', '10:30'); // A: 10:00–10:30
    view(db, 'main', 'alice', '10:20', '10:40'); // second tab; A: alice 10:00–10:40 = 40 min
    view(db, 'main', 'bob', '10:30', '11:15'); // A: 30 min; B: 15 min
    view(db, 'main', 'carol', '10:40', '10:50'); // A: 10 min
    view(db, 'main', 'carol', '10:42', '10:48'); // second tab inside the first: still 10 min, one viewer
    view(db, 'main', 'frank', '10:40', '11:00'); // A: 20 min; ends as B starts, so not in B
    view(db, 'main', 'erin', '09:00', '09:55'); // before everything
    view(db, 'main', 'dave', '11:10'); // still watching at 11:20: B 10 min
    view(db, 'side', 'gina', '10:00', '10:15'); // C: 15 min
    view(db, 'side', 'alice', '12:00', '12:10'); // on the side stage, not talk D on main

    const figures = attendanceByTalk(db, sampleEvent.id, at('11:20'));
    const byTalk = Object.fromEntries(
      figures.map(({ talkId, peakConcurrentViewers, uniqueViewers, averageMinutesWatched }) => [
        talkId,
        { peakConcurrentViewers, uniqueViewers, averageMinutesWatched },
      ]),
    );

    // A: alice 40 + bob 30 + carol 10 + frank 20 = 100 min over 4 viewers. Most at once: bob, carol
    // and frank from 10:40 (alice left at 10:40; carol's two tabs are one viewer).
    expect(byTalk[talks.a]).toEqual({ peakConcurrentViewers: 3, uniqueViewers: 4, averageMinutesWatched: 25 });
    // B: bob 15 + dave 10 (open, counted until now) = 25 min over 2; both at 11:10–11:15.
    expect(byTalk[talks.b]).toEqual({ peakConcurrentViewers: 2, uniqueViewers: 2, averageMinutesWatched: 12.5 });
    expect(byTalk[talks.c]).toEqual({ peakConcurrentViewers: 1, uniqueViewers: 1, averageMinutesWatched: 15 });
    expect(byTalk[talks.d]).toEqual({ peakConcurrentViewers: 0, uniqueViewers: 0, averageMinutesWatched: 0 });
    expect(figures.map((figure) => figure.title)).toEqual(['A', 'B', 'D', 'C']);
  });

  it('counts an open viewing only up to now', () => {
    const db = openTempDatabase();
    const talks = conference(db);
    view(db, 'main', 'dave', '11:10');
    view(db, 'main', 'eve', '10:50');
    const b = attendanceByTalk(db, sampleEvent.id, at('11:12')).find((figure) => figure.talkId === talks.b);
    // dave 2 min, eve 12 min.
    expect(b).toMatchObject({ peakConcurrentViewers: 2, uniqueViewers: 2, averageMinutesWatched: 7 });
    const a = attendanceByTalk(db, sampleEvent.id, at('11:12')).find((figure) => figure.talkId === talks.a);
    expect(a).toMatchObject({ peakConcurrentViewers: 1, uniqueViewers: 1, averageMinutesWatched: 10 });
  });

  it('has interval helpers that treat touching intervals as not overlapping', () => {
    expect(
      peakConcurrency([
        { from: 0, to: 10 },
        { from: 10, to: 20 },
      ]),
    ).toBe(1);
    expect(
      peakConcurrency([
        { from: 0, to: 10 },
        { from: 5, to: 20 },
        { from: 9, to: 11 },
      ]),
    ).toBe(3);
    expect(
      mergeOverlapping([
        { from: 5, to: 8 },
        { from: 0, to: 6 },
        { from: 10, to: 12 },
      ]),
    ).toEqual([
      { from: 0, to: 8 },
      { from: 10, to: 12 },
    ]);
  });
});
