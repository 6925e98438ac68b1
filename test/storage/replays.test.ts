import { describe, expect, it } from 'vitest';
import { questionsOnScreenIn } from '../../server/audience/replayPins.js';
import { createQuestion, pinQuestion, setQuestionStatus } from '../../server/storage/questions.js';
import { listSegments } from '../../server/storage/recordingSegments.js';
import { finishRecording, startRecording } from '../../server/storage/recordings.js';
import { appendSegment } from '../../server/storage/recordingSegments.js';
import {
  endTalkReplay,
  listReplays,
  recordingChapters,
  replayChapters,
  refreshTalkReplays,
  replaySegments,
  updateReplay,
} from '../../server/storage/replays.js';
import { addChapterMarker } from '../../server/storage/chapterMarkers.js';
import { createTalk } from '../../server/storage/talks.js';
import { switchTalkOnAir } from '../../server/storage/talksOnAir.js';
import { createEventWithStage, openTempDatabase } from './helpers.js';

const at = (time: string) => new Date(`2026-05-20T${time}Z`);

/** A stage recorded 09:00–10:00 in 2 s segments, with talks before, inside, across and after it. */
function recordedDay() {
  const db = openTempDatabase();
  createEventWithStage(db);
  const talk = (title: string, start: string, end: string, kind: 'talk' | 'break' = 'talk') =>
    createTalk(db, { stageId: 'main', title, kind, plannedStart: at(start), plannedEnd: at(end) });
  const early = talk('Före inspelningen', '08:00:00', '08:30:00');
  const opening = talk('Välkommen', '08:50:00', '09:10:00');
  const keynote = talk('Huvudtalare', '09:10:00', '09:40:00');
  const pause = talk('Kaffe', '09:40:00', '09:50:00', 'break');
  const closing = talk('Avslutning', '09:50:00', '10:30:00');
  const recording = startRecording(db, 'main', at('09:00:00'));
  for (let second = 0; second < 3600; second += 2) {
    appendSegment(db, {
      recordingId: recording.id,
      file: `r001-${String(second / 2).padStart(5, '0')}.ts`,
      durationSeconds: 2,
      programDateTime: new Date(at('09:00:00').getTime() + second * 1000).toISOString(),
      discontinuity: false,
      sizeBytes: 1000,
    });
  }
  finishRecording(db, recording.id, { status: 'complete' }, at('10:00:00'));
  return { db, recording, early, opening, keynote, pause, closing };
}

describe('per-talk replays', () => {
  it('gives every talk that overlaps the recording a window clipped to it, and none to breaks', () => {
    const { db, recording, opening, keynote, closing } = recordedDay();
    refreshTalkReplays(db, recording.id);
    const replays = listReplays(db, { recordingId: recording.id });
    expect(replays.map((replay) => [replay.talkId, replay.inAt, replay.outAt])).toEqual([
      [opening.id, '2026-05-20T09:00:00.000Z', '2026-05-20T09:10:00.000Z'],
      [keynote.id, '2026-05-20T09:10:00.000Z', '2026-05-20T09:40:00.000Z'],
      [closing.id, '2026-05-20T09:50:00.000Z', '2026-05-20T10:00:00.000Z'],
    ]);
  });

  it('covers exactly its talk\u2019s time with whole segments', () => {
    const { db, recording, keynote } = recordedDay();
    refreshTalkReplays(db, recording.id);
    const replay = listReplays(db, { recordingId: recording.id }).find((candidate) => candidate.talkId === keynote.id)!;
    const segments = replaySegments(db, replay);
    expect(segments[0]!.programDateTime).toBe('2026-05-20T09:10:00.000Z');
    expect(segments.at(-1)!.programDateTime).toBe('2026-05-20T09:39:58.000Z');
    expect(segments.reduce((sum, segment) => sum + segment.durationSeconds, 0)).toBe(30 * 60);
  });

  it('keeps a technician\u2019s edits when replays are refreshed again', () => {
    const { db, recording, keynote } = recordedDay();
    refreshTalkReplays(db, recording.id);
    const replay = listReplays(db, { recordingId: recording.id }).find((candidate) => candidate.talkId === keynote.id)!;
    updateReplay(db, replay.id, { title: 'Huvudtalare (redigerad)', inAt: '2026-05-20T09:12:01.000Z' });
    refreshTalkReplays(db, recording.id);
    const after = listReplays(db, { recordingId: recording.id });
    expect(after).toHaveLength(3);
    const edited = after.find((candidate) => candidate.id === replay.id)!;
    expect(edited).toMatchObject({ title: 'Huvudtalare (redigerad)', inAt: '2026-05-20T09:12:01.000Z' });
    expect(replaySegments(db, edited)[0]!.programDateTime).toBe('2026-05-20T09:12:00.000Z');
  });

  it('gives the talks of a recording in progress their replays as they end, not one cut short before', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const talk = (title: string, start: string, end: string) =>
      createTalk(db, { stageId: 'main', title, kind: 'talk', plannedStart: at(start), plannedEnd: at(end) });
    const first = talk('Första', '09:00:00', '09:30:00');
    const second = talk('Andra', '09:30:00', '10:00:00');
    const recording = startRecording(db, 'main', at('08:55:00'));

    refreshTalkReplays(db, recording.id, at('09:20:00'));
    expect(listReplays(db, { recordingId: recording.id })).toEqual([]);
    refreshTalkReplays(db, recording.id, at('09:30:00'));
    expect(listReplays(db, { recordingId: recording.id }).map((replay) => [replay.talkId, replay.inAt, replay.outAt])).toEqual([
      [first.id, '2026-05-20T09:00:00.000Z', '2026-05-20T09:30:00.000Z'],
    ]);
    // Stopped mid-talk: the talk going on gets what was recorded of it.
    finishRecording(db, recording.id, { status: 'complete' }, at('09:45:00'));
    refreshTalkReplays(db, recording.id, at('09:45:00'));
    expect(listReplays(db, { recordingId: recording.id }).map((replay) => [replay.talkId, replay.outAt])).toEqual([
      [first.id, '2026-05-20T09:30:00.000Z'],
      [second.id, '2026-05-20T09:45:00.000Z'],
    ]);
  });

  it('ends a talk\u2019s replay where the control room ended it, early or overrunning its plan', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const keynote = createTalk(db, { stageId: 'main', title: 'Huvudtalare', kind: 'talk', plannedStart: at('09:00:00'), plannedEnd: at('09:30:00') });
    const recording = startRecording(db, 'main', at('08:55:00'));

    expect(endTalkReplay(db, recording.id, keynote.id, at('09:25:00'))).toMatchObject({
      talkId: keynote.id,
      inAt: '2026-05-20T09:00:00.000Z',
      outAt: '2026-05-20T09:25:00.000Z',
    });
    // Planned end passes: the replay the control room ended stays as it was.
    refreshTalkReplays(db, recording.id, at('09:31:00'));
    expect(listReplays(db, { recordingId: recording.id }).map((replay) => replay.outAt)).toEqual(['2026-05-20T09:25:00.000Z']);
    // The speaker went on after all: ended again, later than planned.
    expect(endTalkReplay(db, recording.id, keynote.id, at('09:40:00'))?.outAt).toBe('2026-05-20T09:40:00.000Z');
    expect(listReplays(db, { recordingId: recording.id })).toHaveLength(1);
    expect(endTalkReplay(db, recording.id, keynote.id, at('08:59:00'))).toBeUndefined();
  });
});

describe('chapters: the talks within what a player plays', () => {
  it('places every talk of a whole recording where it starts in the played media', () => {
    const { db, recording } = recordedDay();
    refreshTalkReplays(db, recording.id);
    const chapters = recordingChapters(db, recording.id);
    expect(chapters.map((chapter) => [chapter.title, chapter.startSeconds])).toEqual([
      ['Välkommen', 0],
      ['Huvudtalare', 600],
      ['Avslutning', 3000],
    ]);
  });

  it('gives a talk replay the talks within its window, counted from the replay’s own start', () => {
    const { db, recording, opening } = recordedDay();
    refreshTalkReplays(db, recording.id);
    const replay = listReplays(db, { recordingId: recording.id }).find((candidate) => candidate.talkId === opening.id)!;
    expect(replayChapters(db, replay).map((chapter) => chapter.title)).toEqual(['Välkommen']);
    // A technician widens the opening's replay over the keynote: the keynote becomes its second chapter.
    const widened = updateReplay(db, replay.id, { inAt: '2026-05-20T09:05:00.000Z', outAt: '2026-05-20T09:40:00.000Z' })!;
    const chapters = replayChapters(db, widened);
    expect(chapters.map((chapter) => [chapter.title, chapter.startSeconds])).toEqual([
      ['Välkommen', 0],
      ['Huvudtalare', 300],
    ]);
  });

  it('skips the gap of an interrupted recording, which the player does not see', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const first = createTalk(db, { stageId: 'main', title: 'Före avbrottet', kind: 'talk', plannedStart: at('09:00:00'), plannedEnd: at('09:00:10') });
    createTalk(db, { stageId: 'main', title: 'Efter avbrottet', kind: 'talk', plannedStart: at('09:01:00'), plannedEnd: at('09:01:10') });
    const recording = startRecording(db, 'main', at('09:00:00'));
    for (const [index, time] of ['09:00:00', '09:00:02', '09:01:00', '09:01:02'].entries()) {
      appendSegment(db, {
        recordingId: recording.id,
        file: `r001-${index}.ts`,
        durationSeconds: 2,
        programDateTime: at(time).toISOString(),
        discontinuity: index === 2,
        sizeBytes: 1000,
      });
    }
    finishRecording(db, recording.id, { status: 'complete' }, at('09:01:04'));
    refreshTalkReplays(db, recording.id);
    const chapters = recordingChapters(db, recording.id);
    expect(chapters.map((chapter) => [chapter.talkId === first.id, chapter.startSeconds])).toEqual([
      [true, 0],
      [false, 4],
    ]);
  });
});

describe('replays of talks the control room put on air', () => {
  it('follow the times on air rather than the plan, and a talk still on air ends with the recording', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const first = createTalk(db, { stageId: 'main', title: 'Först', kind: 'talk', plannedStart: at('09:00:00'), plannedEnd: at('09:30:00') });
    const second = createTalk(db, { stageId: 'main', title: 'Sedan', kind: 'talk', plannedStart: at('09:30:00'), plannedEnd: at('10:00:00') });
    const pause = createTalk(db, { stageId: 'main', title: 'Paus', kind: 'break', plannedStart: at('10:00:00'), plannedEnd: at('10:15:00') });
    const recording = startRecording(db, 'main', at('08:55:00'));
    // Started late, ran over.
    switchTalkOnAir(db, 'main', first.id, at('09:07:00'));
    switchTalkOnAir(db, 'main', second.id, at('09:41:00'));
    expect(endTalkReplay(db, recording.id, first.id, at('09:41:00'))).toMatchObject({ inAt: '2026-05-20T09:07:00.000Z', outAt: '2026-05-20T09:41:00.000Z' });
    // The first talk's planned end passed meanwhile: the recording follows the control room, not the plan.
    refreshTalkReplays(db, recording.id, at('10:05:00'));
    expect(listReplays(db, { recordingId: recording.id }).map((replay) => replay.talkId)).toEqual([first.id]);

    switchTalkOnAir(db, 'main', pause.id, at('10:20:00'));
    expect(endTalkReplay(db, recording.id, second.id, at('10:20:00'))?.inAt).toBe('2026-05-20T09:41:00.000Z');
    finishRecording(db, recording.id, { status: 'complete' }, at('10:30:00'));
    refreshTalkReplays(db, recording.id);
    // The break on air at the end gets no replay.
    expect(listReplays(db, { recordingId: recording.id }).map((replay) => [replay.title, replay.inAt, replay.outAt])).toEqual([
      ['Först', '2026-05-20T09:07:00.000Z', '2026-05-20T09:41:00.000Z'],
      ['Sedan', '2026-05-20T09:41:00.000Z', '2026-05-20T10:20:00.000Z'],
    ]);
  });

  it('gives the talk on air when a recording ends a replay up to that end, and one from the next recording’s start', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const talk = createTalk(db, { stageId: 'main', title: 'Lång', kind: 'talk', plannedStart: at('09:00:00'), plannedEnd: at('11:00:00') });
    switchTalkOnAir(db, 'main', talk.id, at('09:00:00'));
    const before = startRecording(db, 'main', at('09:10:00'));
    finishRecording(db, before.id, { status: 'complete' }, at('09:20:00'));
    refreshTalkReplays(db, before.id);
    const after = startRecording(db, 'main', at('09:30:00'));
    switchTalkOnAir(db, 'main', null, at('09:50:00'));
    endTalkReplay(db, after.id, talk.id, at('09:50:00'));
    expect(listReplays(db, { stageId: 'main' }).map((replay) => [replay.recordingId, replay.inAt, replay.outAt])).toEqual([
      [before.id, '2026-05-20T09:10:00.000Z', '2026-05-20T09:20:00.000Z'],
      [after.id, '2026-05-20T09:30:00.000Z', '2026-05-20T09:50:00.000Z'],
    ]);
  });
});

describe('chapter markers', () => {
  it('become chapters of the whole recording and of the replay whose window holds them, in time order with the talks', () => {
    const { db, recording, opening } = recordedDay();
    refreshTalkReplays(db, recording.id);
    addChapterMarker(db, recording.id, 'Frågor', at('09:05:00'));
    addChapterMarker(db, recording.id, '', at('09:20:00'));
    expect(recordingChapters(db, recording.id).map((chapter) => [chapter.kind, chapter.title, chapter.startSeconds])).toEqual([
      ['talk', 'Välkommen', 0],
      ['marker', 'Frågor', 300],
      ['talk', 'Huvudtalare', 600],
      ['marker', '', 1200],
      ['talk', 'Avslutning', 3000],
    ]);
    const replay = listReplays(db, { recordingId: recording.id }).find((candidate) => candidate.talkId === opening.id)!;
    expect(replayChapters(db, replay).map((chapter) => [chapter.kind, chapter.title, chapter.startSeconds])).toEqual([
      ['talk', 'Välkommen', 0],
      ['marker', 'Frågor', 300],
    ]);
  });
});

describe('questions on screen in a replay: at the same moment as in the live players', () => {
  it('places each pin, kept with its times, on what the replay plays, clipped to it', () => {
    const { db, recording, keynote } = recordedDay();
    refreshTalkReplays(db, recording.id);
    const ask = (text: string, authorName = '') => {
      const question = createQuestion(db, { stageId: 'main', text, authorName }, at('09:05:00'));
      setQuestionStatus(db, question.id, 'approved');
      return question;
    };
    const before = ask('Före huvudtalet?');
    const during = ask('Hur når vi äldre?', 'Karin');
    const last = ask('Sista frågan');
    pinQuestion(db, 'main', before.id, at('09:08:00'));
    // Taken down by the next pin (as the moderator's "show on screen" does), then down for good.
    pinQuestion(db, 'main', during.id, at('09:15:30'));
    pinQuestion(db, 'main', null, at('09:20:00'));
    pinQuestion(db, 'main', last.id, at('09:39:00'));

    const replay = listReplays(db, { recordingId: recording.id }).find((candidate) => candidate.talkId === keynote.id)!;
    expect(questionsOnScreenIn(db, 'main', replaySegments(db, replay), replay)).toEqual([
      { questionId: before.id, text: 'Före huvudtalet?', authorName: '', fromSeconds: 0, toSeconds: 330 },
      { questionId: during.id, text: 'Hur når vi äldre?', authorName: 'Karin', fromSeconds: 330, toSeconds: 600 },
      // Still up when the talk ended: to the end of what the replay plays.
      { questionId: last.id, text: 'Sista frågan', authorName: '', fromSeconds: 1740, toSeconds: 1800 },
    ]);
    // The whole recording: the same pins on its own timeline, from 09:00.
    expect(questionsOnScreenIn(db, 'main', listSegments(db, recording.id)).map(({ fromSeconds, toSeconds }) => [fromSeconds, toSeconds])).toEqual([
      [480, 930],
      [930, 1200],
      [2340, 3600],
    ]);
    expect(questionsOnScreenIn(db, 'main', [])).toEqual([]);
  });
});
