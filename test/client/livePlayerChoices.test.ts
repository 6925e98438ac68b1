import { describe, expect, it } from 'vitest';
import { nextMode } from '../../client/src/live/livePlayer';
import { problemOf } from '../../client/src/live/session';
import { preferredLayer, type ViewerStatus } from '../../client/src/live/viewer';
import { translate } from '../../client/src/i18n/translate';
import { SignallingError } from '../../client/src/signalling';

function viewer(overrides: Partial<ViewerStatus>): ViewerStatus {
  return { state: 'connecting', problem: null, notice: null, picture: false, soundBlocked: false, spatialLayers: 1, inset: false, ...overrides };
}

describe('which player shows the stage', () => {
  it('falls back to the live recording when WebRTC media cannot get through, if the stage is being recorded', () => {
    const blocked = viewer({ state: 'reconnecting', problem: 'media_blocked' });
    expect(nextMode('webrtc', blocked, true)).toBe('fallback');
    expect(nextMode('webrtc', viewer({ state: 'reconnecting', problem: 'media_unreachable' }), true)).toBe('fallback');
    expect(nextMode('webrtc', blocked, false)).toBe('webrtc');
    // Other trouble (a dropped socket) is WebRTC's to fix by reconnecting.
    expect(nextMode('webrtc', viewer({ state: 'reconnecting', problem: 'server_lost' }), true)).toBe('webrtc');
  });

  it('stays on the fallback while WebRTC retries, and leaves it once WebRTC plays or the broadcast ends', () => {
    expect(nextMode('fallback', viewer({ state: 'connecting' }), true)).toBe('fallback');
    expect(nextMode('fallback', viewer({ state: 'waiting', notice: 'starting' }), true)).toBe('fallback');
    expect(nextMode('fallback', viewer({ state: 'playing', picture: true }), true)).toBe('webrtc');
    expect(nextMode('fallback', viewer({ state: 'ended', notice: 'ended' }), true)).toBe('webrtc');
    expect(nextMode('fallback', viewer({ state: 'waiting', notice: 'not_started' }), true)).toBe('webrtc');
    expect(nextMode('fallback', viewer({ state: 'reconnecting' }), false)).toBe('webrtc');
  });

  it('keeps a rewound viewer on the recording until they go back to live, whatever WebRTC does', () => {
    for (const state of ['playing', 'reconnecting', 'ended'] as const) expect(nextMode('rewind', viewer({ state }), true)).toBe('rewind');
  });
});

describe('the simulcast layer a viewer gets', () => {
  it('follows the picture size on auto, and the chosen layer otherwise, within the layers the video has', () => {
    expect(preferredLayer('auto', 180, 3)).toBe(0);
    expect(preferredLayer('auto', 1080, 3)).toBe(2);
    expect(preferredLayer('auto', 1080, 2)).toBe(1);
    expect(preferredLayer(0, 1080, 3)).toBe(0);
    expect(preferredLayer(2, 180, 3)).toBe(2);
    expect(preferredLayer(2, 180, 2)).toBe(1);
  });
});

describe('what the live connection reports', () => {
  it('is a code with a message in both languages, never the server’s English', () => {
    const cases: [unknown, string][] = [
      [new SignallingError('timeout', 'no answer'), 'server_timeout'],
      [new SignallingError('not_found', 'There is no stage "x".', 'stage:join'), 'stage_not_found'],
      [new SignallingError('not_found', 'no consumer', 'consumer:resume'), 'lost_track'],
      [new SignallingError('invalid_payload', 'bad id', 'stage:join'), 'bad_stage'],
      [new SignallingError('forbidden', 'You may not watch this event.'), 'access_refused'],
      [Object.assign(new Error('no WebRTC'), { name: 'UnsupportedError' }), 'unsupported_browser'],
      [new Error('something else'), 'unknown'],
    ];
    for (const [error, code] of cases) {
      const problem = problemOf(error);
      expect(problem).toBe(code);
      const sv = translate('sv', `live.problem.${problem}`);
      const en = translate('en', `live.problem.${problem}`);
      expect(sv).not.toBe(en);
      expect(sv).not.toContain(error instanceof Error ? error.message : '');
    }
  });
});
