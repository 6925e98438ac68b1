/**
 * The ffmpeg command of one recorder run: RTP described by an SDP file in, HLS out. Several
 * sounds on air (two microphones open) are mixed into the one AAC track; video is never mixed.
 *
 * Segments are MPEG-TS, not fragmented MP4: every .ts segment stands alone (no shared init
 * segment), so the runs of different ffmpeg processes, and a change of codec parameters between
 * them, join in one playlist with nothing more than an EXT-X-DISCONTINUITY.
 */
import type { Ffmpeg } from '../config/ffmpeg.js';
import type { TappedTrack } from '../media/index.js';
import type { FfmpegJob } from './ffmpegProcess.js';
import type { RunFiles } from './layout.js';
import { SEGMENT_SECONDS } from './layout.js';

/** RTP packets ffmpeg holds to put reordered ones back in order (loopback rarely reorders). */
const REORDER_QUEUE_PACKETS = 1000;
/** Socket receive buffer, so a burst (a 720p keyframe) is not dropped while ffmpeg is busy. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Packets ffmpeg may queue per stream while the other stream's first packets are awaited. */
const MUXING_QUEUE_PACKETS = 4096;
const AUDIO_BITRATE = '128k';
const PROBE_MICROSECONDS = 1_000_000;
const QUIET_INPUT_TIMEOUT_SECONDS = 30;
/**
 * ffmpeg's RTP input hands the first H.264 frame it reassembles to the muxer without a timestamp,
 * and a stream copy then places that frame at the input's start (its earliest stream's first
 * packet). When the video began after the audio, that merely shows the first picture from the
 * start; but when it began up to a frame before the audio, the second frame landed at or before
 * the first ("non monotonically increasing dts", a first segment that does not decode cleanly).
 * Such a frame is kept where ffmpeg put it, but never later than one frame before the next.
 */
const FIRST_FRAME_FILTER = 'setts';
const FIRST_FRAME_TIMESTAMP = `${FIRST_FRAME_FILTER}=ts=if(eq(PTS\\,NOPTS)\\,min(DTS\\,NEXT_PTS-DURATION)\\,TS)`;
/** The mixed sound's label in the filter graph. */
const MIXED_AUDIO = '[mixed]';
/**
 * Up to this many samples a second each sound may be stretched or squeezed by to stay on its own
 * timeline; a gap longer than 0.1 s (packets lost) is filled with silence instead.
 */
const AUDIO_DRIFT_SAMPLES_PER_SECOND = 1000;

/**
 * What an older ffmpeg (the bundled 2018 build) lacks of what the recorder uses, each with what
 * the recording loses; it records without them. FFmpeg 4.4 and later have all.
 */
export function missingRecorderFeatures(ffmpeg: RecorderFfmpeg): string[] {
  const missing: string[] = [];
  if (!ffmpeg.hasBitstreamFilter(FIRST_FRAME_FILTER)) {
    missing.push(`the ${FIRST_FRAME_FILTER} bitstream filter (the first segment of an H.264 recording may not decode cleanly)`);
  }
  if (!hasQuietInputTimeout(ffmpeg)) missing.push("the sdp demuxer's listen_timeout (an ffmpeg left behind by a crash does not end by itself)");
  return missing;
}

type RecorderFfmpeg = Pick<Ffmpeg, 'hasBitstreamFilter' | 'hasDemuxerOption'>;

const hasQuietInputTimeout = (ffmpeg: RecorderFfmpeg) => ffmpeg.hasDemuxerOption('sdp', 'listen_timeout');

/** `ffmpeg` is the one that will run the job: what it has decides some of the options. */
export function recorderFfmpegJob(tracks: TappedTrack[], files: RunFiles, ffmpeg: RecorderFfmpeg): FfmpegJob {
  const video = tracks.find((track) => track.kind === 'video');
  const sounds = tracks.filter((track) => track.kind === 'audio').length;
  return {
    input: files.sdp,
    inputOptions: [
      // stdin stays open: ffmpeg is stopped by a 'q' there (see FfmpegProcess.stop).
      '-hide_banner',
      '-nostats',
      '-loglevel',
      'warning',
      '-protocol_whitelist',
      'file,udp,rtp',
      // ffmpeg stamps PROGRAM-DATE-TIME when it starts writing, after probing the input: keep
      // probing short (media received meanwhile is kept, not lost).
      '-analyzeduration',
      String(PROBE_MICROSECONDS),
      // Without any packet for about a minute (ffmpeg doubles this), ffmpeg ends as at the end of
      // a file: long enough for a stage whose tracks are all paused, short enough that an ffmpeg
      // left behind by a crashed server goes away by itself.
      ...(hasQuietInputTimeout(ffmpeg) ? ['-listen_timeout', String(QUIET_INPUT_TIMEOUT_SECONDS)] : []),
      '-reorder_queue_size',
      String(REORDER_QUEUE_PACKETS),
      '-buffer_size',
      String(RECEIVE_BUFFER_BYTES),
      '-f',
      'sdp',
    ],
    output: files.playlist,
    outputOptions: [
      ...streamMapping(video !== undefined, sounds),
      ...(video ? videoOptions(video, ffmpeg.hasBitstreamFilter(FIRST_FRAME_FILTER)) : []),
      ...(sounds > 0 ? audioOptions() : []),
      '-max_muxing_queue_size',
      String(MUXING_QUEUE_PACKETS),
      ...hlsOptions(files),
    ],
  };
}

/** Every input stream as it is, or, with several sounds, the video as it is and the sounds' mix. */
function streamMapping(hasVideo: boolean, sounds: number): string[] {
  if (sounds < 2) return ['-map', '0'];
  return ['-filter_complex', audioMixGraph(sounds), ...(hasVideo ? ['-map', '0:v'] : []), '-map', MIXED_AUDIO];
}

/**
 * The filter graph that mixes the input's sounds into one. amix adds up samples as they come,
 * whatever their timestamps say, so each sound is first put on the run's timeline (silence
 * before its first packet and in the gaps of lost ones): sounds that began apart, or lost packets
 * apart, stay in step. amix divides each sound by their number, so that their sum cannot be
 * louder than one; the volume after it undoes that (as a mixing desk, each microphone keeps its
 * level whoever else speaks), which the AAC encoder, taking floating-point samples, stores as is.
 */
function audioMixGraph(sounds: number): string {
  const inputs = Array.from({ length: sounds }, (_, index) => index);
  const aligned = inputs.map((index) => `[0:a:${index}]aresample=async=${AUDIO_DRIFT_SAMPLES_PER_SECOND}:first_pts=0[sound${index}]`);
  const mix = `${inputs.map((index) => `[sound${index}]`).join('')}amix=inputs=${sounds}:duration=longest:dropout_transition=0,volume=${sounds}${MIXED_AUDIO}`;
  return [...aligned, mix].join(';');
}

/** Whether the recorder stores this video as it arrives (H.264) or must encode it (VP8 and others). */
export function storesVideoAsIs(track: TappedTrack): boolean {
  return track.mimeType.toLowerCase() === 'video/h264';
}

function videoOptions(track: TappedTrack, canPlaceFirstFrame: boolean): string[] {
  if (storesVideoAsIs(track)) return ['-c:v', 'copy', ...(canPlaceFirstFrame ? ['-bsf:v', FIRST_FRAME_TIMESTAMP] : [])];
  // HLS players want H.264. A keyframe every segment, so segments can be cut where -hls_time says.
  return ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`];
}

function audioOptions(): string[] {
  // Opus is not playable from MPEG-TS HLS in browsers; AAC is.
  return ['-c:a', 'aac', '-b:a', AUDIO_BITRATE];
}

function hlsOptions(files: RunFiles): string[] {
  return [
    '-f',
    'hls',
    '-hls_time',
    String(SEGMENT_SECONDS),
    '-hls_list_size',
    '0',
    '-hls_segment_type',
    'mpegts',
    '-hls_flags',
    'program_date_time+independent_segments',
    '-start_number',
    '0',
    '-hls_segment_filename',
    files.segmentPattern,
  ];
}
