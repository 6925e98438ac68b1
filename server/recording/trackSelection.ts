/**
 * Which of a stage's on-air producers are recorded: one video and one audio track. Video is the
 * program's main video when the technicians took one (its inset is not recorded: that would take
 * a compositing encode), else the screen share, else a camera; audio is a microphone, else the screen share's
 * sound. Mixing several audio producers (two speakers talking) is not done yet: one microphone
 * is recorded, the video speaker's own when they have one. Paused producers are left out: they
 * send nothing, and ffmpeg writes nothing at all while one of its streams has never had a packet.
 * While the slate is shown (program.slate), its video is recorded, and its silence when no
 * microphone is open.
 */
import type { MediaSource, ProducerInfo, Program } from '../../shared/protocol.js';

export interface TrackSelection {
  video: ProducerInfo | undefined;
  audio: ProducerInfo | undefined;
  /** Equal keys mean the same tracks: a different key needs a new ffmpeg run. */
  key: string;
}

/** Estrad's own choice of video: no Take yet. */
export const AUTOMATIC_PROGRAM: Program = { main: null, inset: null };

export function selectRecordedTracks(onAir: ProducerInfo[], program: Program = AUTOMATIC_PROGRAM): TrackSelection | undefined {
  const sending = onAir.filter((producer) => !producer.paused);
  const taken = sending.find((producer) => producer.producerId === (program.slate ?? program.main) && producer.kind === 'video');
  const video = taken ?? latestOf(sending, 'screen') ?? latestOf(sending, 'camera');
  const slateSilence = sending.find((producer) => producer.source === 'slate' && producer.kind === 'audio');
  const audio = microphoneOf(sending, video?.peerId) ?? latestOf(sending, 'microphone') ?? latestOf(sending, 'screen-audio') ?? slateSilence;
  if (!video && !audio) return undefined;
  return { video, audio, key: `${video?.producerId ?? '-'}+${audio?.producerId ?? '-'}` };
}

export function selectedProducerIds(selection: TrackSelection): string[] {
  return [selection.video, selection.audio].filter((producer) => producer !== undefined).map((producer) => producer.producerId);
}

/** The most recent producer of that source to go on air: the newest speaker has the floor. */
function latestOf(producers: ProducerInfo[], source: MediaSource): ProducerInfo | undefined {
  return producers.filter((producer) => producer.source === source).at(-1);
}

function microphoneOf(producers: ProducerInfo[], peerId: string | undefined): ProducerInfo | undefined {
  if (peerId === undefined) return undefined;
  return latestOf(
    producers.filter((producer) => producer.peerId === peerId),
    'microphone',
  );
}
