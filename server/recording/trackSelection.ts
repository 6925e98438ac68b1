/**
 * Which of a stage's on-air producers are recorded: one video and every sound. Video is the
 * program's main video when the technicians took one (its inset is not recorded: that would take
 * a compositing encode), else the screen share, else a camera. Audio is every microphone and
 * screen-share sound on air, as viewers hear them all: the recorder mixes them into its one AAC
 * track (ffmpegJob.ts). Paused producers are left out: they send nothing, and ffmpeg writes
 * nothing at all while one of its streams has never had a packet.
 * While the slate is shown (program.slate), its video is recorded, and its silence when no
 * microphone is open.
 */
import type { MediaSource, ProducerInfo, Program } from '../../shared/protocol.js';

export interface TrackSelection {
  video: ProducerInfo | undefined;
  /** Every sending audio producer, in the order they went on air. */
  audio: ProducerInfo[];
  /** Equal keys mean the same tracks: a different key needs a new ffmpeg run. */
  key: string;
}

/** Estrad's own choice of video: no Take yet. */
export const AUTOMATIC_PROGRAM: Program = { main: null, inset: null };

export function selectRecordedTracks(onAir: ProducerInfo[], program: Program = AUTOMATIC_PROGRAM): TrackSelection | undefined {
  const sending = onAir.filter((producer) => !producer.paused);
  const taken = sending.find((producer) => producer.producerId === (program.slate ?? program.main) && producer.kind === 'video');
  const video = taken ?? latestOf(sending, 'screen') ?? latestOf(sending, 'camera');
  const sounds = sending.filter((producer) => producer.kind === 'audio' && producer.source !== 'slate');
  const slateSilence = sending.filter((producer) => producer.kind === 'audio' && producer.source === 'slate').slice(0, 1);
  const audio = sounds.length > 0 ? sounds : slateSilence;
  if (!video && audio.length === 0) return undefined;
  // The same sounds in another order are the same mix: no new run for that.
  const audioKey = audio.map((producer) => producer.producerId).sort();
  return { video, audio, key: `${video?.producerId ?? '-'}+${audioKey.join(',') || '-'}` };
}

export function selectedProducerIds(selection: TrackSelection): string[] {
  return [selection.video, ...selection.audio].filter((producer) => producer !== undefined).map((producer) => producer.producerId);
}

/** The most recent producer of that source to go on air: the newest speaker has the floor. */
function latestOf(producers: ProducerInfo[], source: MediaSource): ProducerInfo | undefined {
  return producers.filter((producer) => producer.source === source).at(-1);
}
