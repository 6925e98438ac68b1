import { describe, expect, it } from 'vitest';
import { type KeyPress, shortcutFor } from '../../client/src/components/playerShortcuts';
import { clockText, currentChapterIndex, shareAddress, startTimeFrom } from '../../client/src/components/replayTime';

const press = (key: string, more: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, altKey: false, targetTag: 'BODY', ...more });

describe('the replay player’s keyboard shortcuts', () => {
  it('plays and pauses with space and k, jumps 10 s with j/l and the arrows, mutes with m, goes full screen with f', () => {
    expect(shortcutFor(press(' '))).toEqual({ kind: 'toggle-play' });
    expect(shortcutFor(press('k'))).toEqual({ kind: 'toggle-play' });
    expect(shortcutFor(press('K'))).toEqual({ kind: 'toggle-play' });
    expect(shortcutFor(press('j'))).toEqual({ kind: 'seek-by', seconds: -10 });
    expect(shortcutFor(press('ArrowLeft'))).toEqual({ kind: 'seek-by', seconds: -10 });
    expect(shortcutFor(press('l'))).toEqual({ kind: 'seek-by', seconds: 10 });
    expect(shortcutFor(press('ArrowRight'))).toEqual({ kind: 'seek-by', seconds: 10 });
    expect(shortcutFor(press('m'))).toEqual({ kind: 'toggle-mute' });
    expect(shortcutFor(press('f'))).toEqual({ kind: 'toggle-fullscreen' });
    expect(shortcutFor(press('x'))).toBeNull();
  });

  it('works when the video itself has focus', () => {
    expect(shortcutFor(press('k', { targetTag: 'VIDEO' }))).toEqual({ kind: 'toggle-play' });
  });

  it('leaves keys with a modifier, and the keys of a focused field, button or link, to the browser', () => {
    expect(shortcutFor(press('f', { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press('l', { metaKey: true }))).toBeNull();
    expect(shortcutFor(press(' ', { targetTag: 'BUTTON' }))).toBeNull();
    expect(shortcutFor(press('k', { targetTag: 'INPUT' }))).toBeNull();
    expect(shortcutFor(press('ArrowLeft', { targetTag: 'SELECT' }))).toBeNull();
    expect(shortcutFor(press(' ', { targetTag: 'A' }))).toBeNull();
  });
});

describe('times on the replay page', () => {
  it('reads ?t= as seconds, and anything else as the start', () => {
    expect(startTimeFrom('?t=95')).toBe(95);
    expect(startTimeFrom('?access=abc&t=2.5')).toBe(2.5);
    expect(startTimeFrom('')).toBe(0);
    expect(startTimeFrom('?t=-4')).toBe(0);
    expect(startTimeFrom('?t=1m30s')).toBe(0);
  });

  it('shares the page at a whole second, without the viewer’s own access token', () => {
    expect(shareAddress('https://estrad.example/archive/r1', 61.8)).toBe('https://estrad.example/archive/r1?t=61');
    expect(shareAddress('https://estrad.example/replay/r1?access=secret&t=5', 7)).toBe('https://estrad.example/replay/r1?t=7');
  });

  it('writes times as a clock', () => {
    expect(clockText(0)).toBe('0:00');
    expect(clockText(65.9)).toBe('1:05');
    expect(clockText(3723)).toBe('1:02:03');
  });

  it('marks the chapter that has started last as the current one', () => {
    expect(currentChapterIndex([0, 600, 3000], 0)).toBe(0);
    expect(currentChapterIndex([0, 600, 3000], 900)).toBe(1);
    expect(currentChapterIndex([0, 600, 3000], 3000)).toBe(2);
    expect(currentChapterIndex([10, 20], 5)).toBe(-1);
    expect(currentChapterIndex([], 5)).toBe(-1);
  });
});
