/**
 * The ffmpeg job of a stage's slate: a still picture looped into H.264 at 2 frames a second, each
 * second a keyframe (a plain-RTP sender cannot answer keyframe requests: a new viewer waits at
 * most a second), at a low bitrate, and Opus silence beside it for the recording. One lavfi graph
 * makes both and the tee muxer sends each as RTP to its ingest target: one input and one output,
 * as FfmpegProcess runs them.
 */
import type { IngestTrackTarget } from '../../shared/protocol.js';
import type { FfmpegJob } from '../recording/ffmpegProcess.js';
import { quoted } from './slateImages.js';

export const SLATE_FPS = 2;
const VIDEO_KBPS = 300;
const AUDIO_KBPS = 16;

export function slateFfmpegJob(imagePath: string, targets: IngestTrackTarget[]): FfmpegJob {
  const video = targets.find((target) => target.kind === 'video');
  const audio = targets.find((target) => target.kind === 'audio');
  if (!video || !audio) throw new Error('the slate needs a video and an audio ingest target');
  const graph = [
    `movie=filename=${quoted(imagePath)},loop=loop=-1:size=1,fps=${SLATE_FPS},format=yuv420p[out0]`,
    `anullsrc=r=${audio.clockRate}:cl=stereo[out1]`,
  ].join(';');
  return {
    input: graph,
    inputOptions: ['-re', '-f', 'lavfi'],
    output: [video, audio].map(teeOutput).join('|'),
    outputOptions: [
      '-map',
      '0:v',
      '-map',
      '0:a',
      // H.264 baseline without B-frames, as the router's plain-RTP ingest expects (testPattern.ts).
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-level', '3.1', '-bf', '0'],
      ...['-x264-params', `keyint=${SLATE_FPS}`, '-b:v', `${VIDEO_KBPS}k`, '-maxrate', `${VIDEO_KBPS}k`, '-bufsize', `${VIDEO_KBPS * 2}k`],
      ...['-c:a', 'libopus', '-b:a', `${AUDIO_KBPS}k`, '-ar', String(audio.clockRate), '-ac', '2'],
      '-f',
      'tee',
    ],
  };
}

/** One stream of the tee: the RTP muxer with the target's payload type and SSRC. */
function teeOutput(target: IngestTrackTarget): string {
  const stream = target.kind === 'video' ? 'v' : 'a';
  return `[select=${stream}:f=rtp:payload_type=${target.payloadType}:ssrc=${target.ssrc}]rtp://${target.ip}:${target.port}?rtcpport=${target.rtcpPort}&pkt_size=1200`;
}
