import { describe, expect, it } from 'vitest';
import { retimedCaptions } from '../../server/recording/captions.js';

describe('captions re-timed onto the stretch of a recording a replay plays', () => {
  it('moves cues earlier by the stretch’s start, starts a cue that began before it at 0, and drops those outside it', () => {
    const text = [
      'WEBVTT Kind: captions',
      '',
      'NOTE 00:00:01.000 --> 00:00:02.000 is not a cue here',
      '',
      '00:00:01.000 --> 00:00:02.000',
      'Before the stretch.',
      '',
      'straddling',
      '00:00:09.000 --> 00:00:11.000 align:start',
      'Across its start.',
      '',
      '01:00:15.250 --> 01:00:16.000',
      'An hour in.',
      '',
      '01:30:00.000 --> 01:30:01.000',
      'After its end.',
    ].join('\r\n');
    expect(retimedCaptions(text, 10, 4000)).toBe(
      [
        'WEBVTT Kind: captions',
        '',
        'NOTE 00:00:01.000 --> 00:00:02.000 is not a cue here',
        '',
        'straddling',
        '00:00:00.000 --> 00:00:01.000 align:start',
        'Across its start.',
        '',
        '01:00:05.250 --> 01:00:06.000',
        'An hour in.',
        '',
      ].join('\n'),
    );
  });

  it('cuts a cue at the stretch’s end, reads short timestamps, and leaves out a cue with a broken timing line', () => {
    const text = ['WEBVTT', '', '00:04.000 --> 00:08.000', 'Over the end.', '', '00:01.000 --> soon', 'Broken.'].join('\n');
    expect(retimedCaptions(text, 2, 4)).toBe(['WEBVTT', '', '00:00:02.000 --> 00:00:04.000', 'Over the end.', ''].join('\n'));
  });
});
