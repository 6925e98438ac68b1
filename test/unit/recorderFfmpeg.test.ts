import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Ffmpeg, parseFfmpegListing } from '../../server/config/ffmpeg.js';
import type { TappedTrack } from '../../server/media/index.js';
import { missingRecorderFeatures, recorderFfmpegJob } from '../../server/recording/ffmpegJob.js';
import { runFiles } from '../../server/recording/layout.js';
import { TEST_FFMPEG } from '../helpers/mediaTools.js';

/** The static build of @ffmpeg-installer/linux-x64, the fallback when no ffmpeg is installed (from 2018). */
const BUNDLED_FFMPEG = createRequire(import.meta.url).resolve('@ffmpeg-installer/linux-x64/ffmpeg');

const h264: TappedTrack = {
  kind: 'video',
  producerId: 'camera',
  mimeType: 'video/H264',
  payloadType: 102,
  clockRate: 90000,
  parameters: { 'packetization-mode': 1 },
  ssrc: 1,
};
const opus: TappedTrack = {
  kind: 'audio',
  producerId: 'microphone',
  mimeType: 'audio/opus',
  payloadType: 100,
  clockRate: 48000,
  channels: 2,
  parameters: {},
  ssrc: 2,
};
const vp8: TappedTrack = { ...h264, mimeType: 'video/VP8', payloadType: 101, parameters: {} };

function recorderJob(ffmpeg: Ffmpeg, video: TappedTrack) {
  return recorderFfmpegJob([video, opus], runFiles('/recordings/demo/x', 1), ffmpeg);
}

function videoFilters(ffmpeg: Ffmpeg, video: TappedTrack): string[] {
  const options = recorderJob(ffmpeg, video).outputOptions;
  return options.flatMap((option, index) => (option === '-bsf:v' ? [options[index + 1]!] : []));
}

describe('what the recorder asks of the ffmpeg it was given', () => {
  it("keeps an H.264 run's first frame in place with setts, and ends on a quiet input, with an ffmpeg that has both (Debian's 5.1)", () => {
    const debian = Ffmpeg.find(TEST_FFMPEG);
    expect(missingRecorderFeatures(debian)).toEqual([]);
    expect(videoFilters(debian, h264)).toEqual([expect.stringMatching(/^setts=ts=/)]);
    // An encoded video gets its timestamps from the encoder.
    expect(videoFilters(debian, vp8)).toEqual([]);
    expect(recorderJob(debian, h264).inputOptions).toContain('-listen_timeout');
  });

  it('records without setts and listen_timeout with an ffmpeg that lacks them (the bundled 2018 build), rather than failing every run', () => {
    const bundled = Ffmpeg.find(BUNDLED_FFMPEG);
    expect(bundled.missing).toBeUndefined();
    expect(missingRecorderFeatures(bundled)).toEqual([expect.stringContaining('setts'), expect.stringContaining('listen_timeout')]);
    // Its other filters and options are listed: the answers are about these two, not listings that failed.
    expect(bundled.hasBitstreamFilter('h264_mp4toannexb')).toBe(true);
    expect(bundled.hasDemuxerOption('sdp', 'reorder_queue_size')).toBe(true);
    expect(videoFilters(bundled, h264)).toEqual([]);
    expect(recorderJob(bundled, h264).inputOptions).not.toContain('-listen_timeout');
  });

  it('says what to do when there is no ffmpeg, and assumes no optional filter', () => {
    const none = Ffmpeg.find('/nonexistent/ffmpeg');
    expect(none.missing).toMatch(/FFMPEG_PATH=\/nonexistent\/ffmpeg is not an executable file/);
    expect(() => none.runnablePath()).toThrow(none.missing);
    expect(none.hasBitstreamFilter('setts')).toBe(false);
    expect(none.hasDemuxerOption('sdp', 'listen_timeout')).toBe(false);
  });

  it("reads ffmpeg's lists of bitstream filters and of a demuxer's options: the names, not headings or option values", () => {
    expect([...parseFfmpegListing('Bitstream filters:\naac_adtstoasc\nsetts\n\n')]).toEqual(['aac_adtstoasc', 'setts']);
    const sdpOptions = [
      'Demuxer sdp [SDP]:',
      'SDP demuxer AVOptions:',
      '  -sdp_flags         <flags>      .D......... SDP flags (default 0)',
      '     filter_src                   .D......... only receive packets from the negotiated peer IP',
      '  -listen_timeout    <duration>   .D......... set maximum timeout (in seconds) to wait for incoming connections (default 10)',
    ].join('\n');
    expect([...parseFfmpegListing(sdpOptions)]).toEqual(['sdp_flags', 'listen_timeout']);
  });
});
