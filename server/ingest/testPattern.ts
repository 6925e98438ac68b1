import type { IngestTrackTarget } from '../../shared/protocol.js';

export interface TestPatternOptions {
  width: number;
  height: number;
  fps: number;
  videoBitrateKbps: number;
  /**
   * 'test-pattern': ffmpeg draws its own moving pattern. 'raw-stdin': the caller writes raw
   * yuv420p frames of this size on ffmpeg's stdin (the latency bench's clock) and each frame is
   * stamped with the wall-clock time it arrives, so the encoder sends it at once, however the
   * caller paces them.
   */
  video: 'test-pattern' | 'raw-stdin';
  /** The tone's pitch (it beeps at four times that once a second): another source sounds different. */
  toneHz: number;
}

export const defaultTestPattern: TestPatternOptions = { width: 640, height: 360, fps: 25, videoBitrateKbps: 1000, video: 'test-pattern', toneHz: 440 };

/**
 * ffmpeg arguments that send moving video and a beeping tone as RTP to the given ingest targets.
 * A keyframe every second: a plain-RTP sender cannot answer keyframe requests, so this bounds how
 * long a new viewer waits for its first picture.
 */
export function testPatternFfmpegArgs(targets: IngestTrackTarget[], options: TestPatternOptions = defaultTestPattern): string[] {
  const video = targets.find((target) => target.kind === 'video');
  const audio = targets.find((target) => target.kind === 'audio');
  const { fps, videoBitrateKbps } = options;
  // -sdp_file keeps ffmpeg from printing the SDP of its RTP outputs on stdout.
  // -nostdin only turns off ffmpeg's keyboard commands; frames on stdin (pipe:0) are still read.
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostdin', '-sdp_file', '/dev/null'];
  // A sound-only source (a microphone) has no picture to make: the tone is its only input.
  if (video) args.push(...videoInputArgs(options));
  args.push('-re', '-f', 'lavfi', '-i', `sine=frequency=${options.toneHz}:beep_factor=4:sample_rate=48000`);
  if (video) {
    args.push('-map', '0:v:0', ...videoEncoderArgs(video, options));
    args.push('-b:v', `${videoBitrateKbps}k`, '-maxrate', `${videoBitrateKbps}k`, '-bufsize', `${videoBitrateKbps}k`);
    args.push('-g', String(fps), '-keyint_min', String(fps), '-pix_fmt', 'yuv420p');
    // Frames stamped on arrival keep their times: none is held back or repeated for a constant rate.
    if (options.video === 'raw-stdin') args.push('-fps_mode', 'passthrough');
    args.push(...rtpOutputArgs(video));
  }
  if (audio) {
    args.push('-map', `${video ? 1 : 0}:a:0`, '-c:a', 'libopus', '-b:a', '64k', '-ac', '2', '-ar', '48000', ...rtpOutputArgs(audio));
  }
  return args;
}

function videoInputArgs({ width, height, fps, video }: TestPatternOptions): string[] {
  if (video === 'test-pattern') return ['-re', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`];
  return [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-video_size',
    `${width}x${height}`,
    '-framerate',
    String(fps),
    '-use_wallclock_as_timestamps',
    '1',
    '-i',
    'pipe:0',
  ];
}

function videoEncoderArgs(target: IngestTrackTarget, { fps }: TestPatternOptions): string[] {
  if (target.codec === 'H264') {
    // H.264 baseline (profile-level-id 42e01f), no B-frames: what the router and browsers expect.
    return [
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'baseline',
      '-level',
      '3.1',
      '-bf',
      '0',
      '-x264-params',
      `keyint=${fps}`,
    ];
  }
  return ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-auto-alt-ref', '0', '-error-resilient', '1'];
}

/** ffmpeg output arguments that send one stream as RTP to a plain-RTP ingest target. */
export function rtpOutputArgs(target: IngestTrackTarget): string[] {
  return [
    '-payload_type',
    String(target.payloadType),
    '-ssrc',
    String(target.ssrc),
    '-f',
    'rtp',
    `rtp://${target.ip}:${target.port}?rtcpport=${target.rtcpPort}&pkt_size=1200`,
  ];
}
