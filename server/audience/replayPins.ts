/**
 * The questions a moderator put on screen during a recording, placed on what a replay plays, so
 * that the replay shows each at the same moment the live players did. Pins are kept with their
 * times (question_pins); the played media's timeline is the sum of its segments (see chaptersIn).
 */
import type { Database } from 'better-sqlite3';
import type { ReplayOnScreen } from '../../shared/protocol.js';
import { findQuestion, questionPinsBetween } from '../storage/questions.js';
import { listSegments, type RecordingSegment } from '../storage/recordingSegments.js';
import { mediaSecondsAt, playedSpan, replaySegments, type TalkReplay } from '../storage/replays.js';

/** `window`: a talk replay's in and out points; none for the whole recording. */
export function questionsOnScreenIn(db: Database, stageId: string, segments: RecordingSegment[], window?: { inAt: string; outAt: string }): ReplayOnScreen[] {
  const span = playedSpan(segments, window);
  if (!span) return [];
  const { fromMs, toMs } = span;
  return questionPinsBetween(db, stageId, new Date(fromMs), new Date(toMs)).flatMap((pin) => {
    const question = findQuestion(db, pin.questionId);
    if (!question) return [];
    const unpinnedMs = pin.unpinnedAt === null ? toMs : Math.min(Date.parse(pin.unpinnedAt), toMs);
    return [
      {
        questionId: question.id,
        text: question.text,
        authorName: question.authorName,
        fromSeconds: mediaSecondsAt(segments, Math.max(Date.parse(pin.pinnedAt), fromMs)),
        toSeconds: mediaSecondsAt(segments, unpinnedMs),
      },
    ];
  });
}

/** On a talk's replay, in seconds of what it plays. */
export function replayQuestionsOnScreen(db: Database, replay: TalkReplay): ReplayOnScreen[] {
  return questionsOnScreenIn(db, replay.stageId, replaySegments(db, replay), replay);
}

/** On a whole stage recording. */
export function recordingQuestionsOnScreen(db: Database, recording: { id: string; stageId: string }): ReplayOnScreen[] {
  return questionsOnScreenIn(db, recording.stageId, listSegments(db, recording.id));
}
