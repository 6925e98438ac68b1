import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ffmpeg, parseFfmpegListing } from '../../server/config/ffmpeg.js';
import type { TappedTrack } from '../../server/media/index.js';
import { missingRecorderFeatures, recorderFfmpegJob } from '../../server/recording/ffmpegJob.js';
import { runFiles } from '../../server/recording/layout.js';
import { TEST_FFMPEG, TEST_FFPROBE } from '../helpers/mediaTools.js';
import { TONE_PRESENT_SHARE, toneShares } from '../helpers/audioTones.js';

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
const secondOpus: TappedTrack = { ...opus, producerId: 'second-microphone', ssrc: 3 };

/** What follows an option in a job's output options. */
function optionValues(options: string[], option: string): string[] {
  return options.flatMap((value, index) => (value === option ? [options[index + 1]!] : []));
}

/**
 * A sound-only job's filter graph and stream choice, run by that ffmpeg on a file with a 440 Hz and
 * a 1000 Hz sound (as its SDP input would have them); returns the output's audio streams and tones.
 */
function mixedByFfmpeg(ffmpegPath: string, outputOptions: string[]): { audioStreams: number; tones: number[] } {
  const folder = mkdtempSync(join(tmpdir(), 'estrad-mix-'));
  const sounds = join(folder, 'two-sounds.mkv');
  const tone = (hz: number) => ['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=2`];
  execFileSync(TEST_FFMPEG, ['-v', 'error', ...tone(440), ...tone(1000), '-map', '0', '-map', '1', '-c:a', 'libopus', '-ac', '2', sounds]);
  const mixed = join(folder, 'mixed.ts');
  const maps = optionValues(outputOptions, '-map').flatMap((map) => ['-map', map]);
  execFileSync(ffmpegPath, ['-v', 'error', '-i', sounds, '-filter_complex', ...optionValues(outputOptions, '-filter_complex'), ...maps, '-c:a', 'aac', mixed]);
  const probe = execFileSync(TEST_FFPROBE, ['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=index', '-of', 'json', mixed], {
    encoding: 'utf8',
  });
  return { audioStreams: (JSON.parse(probe) as { streams: unknown[] }).streams.length, tones: toneShares(mixed, [440, 1000]) };
}

function recorderJob(ffmpeg: Ffmpeg, video: TappedTrack) {
  return recorderFfmpegJob([video, opus], runFiles('/recordings/demo/x', 1), ffmpeg);
}

function videoFilters(ffmpeg: Ffmpeg, video: TappedTrack): string[] {
  return optionValues(recorderJob(ffmpeg, video).outputOptions, '-bsf:v');
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

  it('maps every input stream as it is when there is one sound, and mixes several sounds into one, keeping the video as it is', () => {
    const debian = Ffmpeg.find(TEST_FFMPEG);
    const single = recorderJob(debian, h264).outputOptions;
    expect(optionValues(single, '-map')).toEqual(['0']);
    expect(single).not.toContain('-filter_complex');
    const mixed = recorderFfmpegJob([h264, opus, secondOpus], runFiles('/recordings/demo/x', 1), debian).outputOptions;
    expect(optionValues(mixed, '-map')).toEqual(['0:v', '[mixed]']);
    expect(optionValues(mixed, '-c:v')).toEqual(['copy']);
    expect(optionValues(mixed, '-c:a')).toEqual(['aac']);
    const soundOnly = recorderFfmpegJob([opus, secondOpus], runFiles('/recordings/demo/x', 1), debian).outputOptions;
    expect(optionValues(soundOnly, '-map')).toEqual(['[mixed]']);
  });

  it("has both sounds in its one audio track, with Debian's ffmpeg and with the bundled 2018 build", () => {
    const job = recorderFfmpegJob([opus, secondOpus], runFiles('/recordings/demo/x', 1), Ffmpeg.find(TEST_FFMPEG));
    for (const ffmpegPath of [TEST_FFMPEG, BUNDLED_FFMPEG]) {
      const { audioStreams, tones } = mixedByFfmpeg(ffmpegPath, job.outputOptions);
      expect(audioStreams, ffmpegPath).toBe(1);
      // Two equally loud tones: each about half the mix's power.
      for (const share of tones) expect(share, `${ffmpegPath}: ${JSON.stringify(tones)}`).toBeGreaterThan(TONE_PRESENT_SHARE * 3);
    }
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
