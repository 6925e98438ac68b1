import { describe, expect, it } from 'vitest';
import type { MediaSource, ProducerInfo } from '../../shared/protocol.js';
import { selectRecordedTracks } from '../../server/recording/trackSelection.js';

function producer(producerId: string, source: MediaSource, peerId: string, paused = false): ProducerInfo {
  const kind = source === 'camera' || source === 'screen' ? 'video' : 'audio';
  return { producerId, kind, source, peerId, paused };
}

/** The recorded video, then every recorded sound. */
const ids = (onAir: ProducerInfo[]) => {
  const selection = selectRecordedTracks(onAir);
  return [selection?.video?.producerId, ...(selection?.audio ?? []).map((audio) => audio.producerId)];
};

describe('which on-air tracks are recorded', () => {
  it('records nothing when nothing sends', () => {
    expect(selectRecordedTracks([])).toBeUndefined();
    expect(selectRecordedTracks([producer('cam', 'camera', 'a', true), producer('mic', 'microphone', 'a', true)])).toBeUndefined();
  });

  it('prefers a screen share to a camera, and records the screen share sound beside the microphone', () => {
    const onAir = [producer('cam', 'camera', 'a'), producer('mic', 'microphone', 'a')];
    expect(ids(onAir)).toEqual(['cam', 'mic']);
    expect(ids([...onAir, producer('screen', 'screen', 'a'), producer('screen-sound', 'screen-audio', 'a')])).toEqual(['screen', 'mic', 'screen-sound']);
    expect(ids([producer('screen', 'screen', 'a'), producer('screen-sound', 'screen-audio', 'a')])).toEqual(['screen', 'screen-sound']);
  });

  it('follows the newest speaker’s video, and records every open microphone', () => {
    const onAir = [
      producer('cam-a', 'camera', 'a'),
      producer('mic-a', 'microphone', 'a'),
      producer('cam-b', 'camera', 'b'),
      producer('mic-b', 'microphone', 'b'),
    ];
    expect(ids(onAir)).toEqual(['cam-b', 'mic-a', 'mic-b']);
    // B shares their screen while A still talks: B's screen, with both microphones.
    expect(ids([producer('mic-a', 'microphone', 'a'), producer('screen-b', 'screen', 'b'), producer('mic-b', 'microphone', 'b')])).toEqual([
      'screen-b',
      'mic-a',
      'mic-b',
    ]);
    // Sound only (a speaker without a camera): still recorded.
    expect(ids([producer('mic-a', 'microphone', 'a'), producer('mic-b', 'microphone', 'b')])).toEqual([undefined, 'mic-a', 'mic-b']);
  });

  it('needs a new run when a microphone opens or closes, and not for the same microphones in another order', () => {
    const both = [producer('cam', 'camera', 'a'), producer('mic-a', 'microphone', 'a'), producer('mic-b', 'microphone', 'b')];
    const bLeft = both.slice(0, 2);
    const bMuted = [...bLeft, producer('mic-b', 'microphone', 'b', true)];
    expect(selectRecordedTracks(bLeft)?.key).not.toBe(selectRecordedTracks(both)?.key);
    expect(selectRecordedTracks(bMuted)?.key).toBe(selectRecordedTracks(bLeft)?.key);
    const reordered = [both[0]!, both[2]!, both[1]!];
    expect(selectRecordedTracks(reordered)?.key).toBe(selectRecordedTracks(both)?.key);
  });

  it('leaves paused tracks out, and a pause changes the key (a new ffmpeg run)', () => {
    const sending = [producer('cam', 'camera', 'a'), producer('mic', 'microphone', 'a')];
    const cameraOff = [producer('cam', 'camera', 'a', true), producer('mic', 'microphone', 'a')];
    expect(ids(cameraOff)).toEqual([undefined, 'mic']);
    expect(selectRecordedTracks(cameraOff)?.key).not.toBe(selectRecordedTracks(sending)?.key);
  });

  it('keeps the key while only tracks that are not recorded come and go (the same ffmpeg run goes on)', () => {
    const sending = [producer('cam', 'camera', 'a'), producer('mic', 'microphone', 'a')];
    const withUnrecorded = [producer('cam-b', 'camera', 'b', true), ...sending, producer('mic-b', 'microphone', 'b', true)];
    expect(ids(withUnrecorded)).toEqual(['cam', 'mic']);
    expect(selectRecordedTracks(withUnrecorded)?.key).toBe(selectRecordedTracks(sending)?.key);
  });

  it('records the program’s main video once the technicians took one, with every microphone', () => {
    const onAir = [
      producer('cam-a', 'camera', 'a'),
      producer('mic-a', 'microphone', 'a'),
      producer('screen-b', 'screen', 'b'),
      producer('mic-b', 'microphone', 'b'),
    ];
    expect(ids(onAir)).toEqual(['screen-b', 'mic-a', 'mic-b']);
    expect(selectRecordedTracks(onAir, { main: 'cam-a', inset: 'screen-b' })).toMatchObject({
      video: { producerId: 'cam-a' },
      audio: [{ producerId: 'mic-a' }, { producerId: 'mic-b' }],
    });
    // A main video that is paused (camera off) or gone leaves the choice to Estrad again.
    const cameraOff = [producer('cam-a', 'camera', 'a', true), ...onAir.slice(1)];
    expect(selectRecordedTracks(cameraOff, { main: 'cam-a', inset: null })?.video?.producerId).toBe('screen-b');
    expect(selectRecordedTracks(onAir, { main: 'mic-a', inset: null })?.video?.producerId).toBe('screen-b');
  });

  it('records the slate while it is shown: its picture, and its silence only when no microphone is open', () => {
    const slate = [
      { producerId: 'slate-video', kind: 'video', source: 'slate', peerId: 'slate-hall', paused: false },
      { producerId: 'slate-silence', kind: 'audio', source: 'slate', peerId: 'slate-hall', paused: false },
    ] satisfies ProducerInfo[];
    const onAir = [producer('cam-a', 'camera', 'a'), producer('mic-a', 'microphone', 'a')];
    const shown = { main: 'cam-a', inset: null, slate: 'slate-video' };
    expect(selectRecordedTracks([...onAir, ...slate], shown)).toMatchObject({ video: { producerId: 'slate-video' }, audio: [{ producerId: 'mic-a' }] });
    expect(selectRecordedTracks([producer('cam-a', 'camera', 'a'), ...slate], shown)).toMatchObject({
      video: { producerId: 'slate-video' },
      audio: [{ producerId: 'slate-silence' }],
    });
    // Not shown: the slate is never Estrad's own choice of picture.
    expect(ids([...onAir, ...slate])).toEqual(['cam-a', 'mic-a']);
  });
});
