import { describe, expect, it } from 'vitest';
import type { MediaSource, ProducerInfo } from '../../shared/protocol.js';
import { selectRecordedTracks } from '../../server/recording/trackSelection.js';

function producer(producerId: string, source: MediaSource, peerId: string, paused = false): ProducerInfo {
  const kind = source === 'camera' || source === 'screen' ? 'video' : 'audio';
  return { producerId, kind, source, peerId, paused };
}

const ids = (onAir: ProducerInfo[]) => {
  const selection = selectRecordedTracks(onAir);
  return [selection?.video?.producerId, selection?.audio?.producerId];
};

describe('which on-air tracks are recorded', () => {
  it('records nothing when nothing sends', () => {
    expect(selectRecordedTracks([])).toBeUndefined();
    expect(selectRecordedTracks([producer('cam', 'camera', 'a', true), producer('mic', 'microphone', 'a', true)])).toBeUndefined();
  });

  it('prefers a screen share to a camera, and a microphone to the screen share sound', () => {
    const onAir = [producer('cam', 'camera', 'a'), producer('mic', 'microphone', 'a')];
    expect(ids(onAir)).toEqual(['cam', 'mic']);
    expect(ids([...onAir, producer('screen', 'screen', 'a'), producer('screen-sound', 'screen-audio', 'a')])).toEqual(['screen', 'mic']);
    expect(ids([producer('screen', 'screen', 'a'), producer('screen-sound', 'screen-audio', 'a')])).toEqual(['screen', 'screen-sound']);
  });

  it('follows the newest speaker, with their own microphone', () => {
    const onAir = [
      producer('cam-a', 'camera', 'a'),
      producer('mic-a', 'microphone', 'a'),
      producer('cam-b', 'camera', 'b'),
      producer('mic-b', 'microphone', 'b'),
    ];
    expect(ids(onAir)).toEqual(['cam-b', 'mic-b']);
    // B shares their screen while A still talks: B's screen with B's microphone.
    expect(ids([producer('mic-a', 'microphone', 'a'), producer('screen-b', 'screen', 'b'), producer('mic-b', 'microphone', 'b')])).toEqual([
      'screen-b',
      'mic-b',
    ]);
  });

  it('leaves paused tracks out, and a pause changes the key (a new ffmpeg run)', () => {
    const sending = [producer('cam', 'camera', 'a'), producer('mic', 'microphone', 'a')];
    const cameraOff = [producer('cam', 'camera', 'a', true), producer('mic', 'microphone', 'a')];
    expect(ids(cameraOff)).toEqual([undefined, 'mic']);
    expect(selectRecordedTracks(cameraOff)?.key).not.toBe(selectRecordedTracks(sending)?.key);
  });

  it('keeps the key while only tracks that are not recorded come and go (the same ffmpeg run goes on)', () => {
    const sending = [producer('cam', 'camera', 'a'), producer('mic', 'microphone', 'a')];
    const withUnrecorded = [producer('cam-b', 'camera', 'b', true), ...sending, producer('screen-sound', 'screen-audio', 'a')];
    expect(ids(withUnrecorded)).toEqual(['cam', 'mic']);
    expect(selectRecordedTracks(withUnrecorded)?.key).toBe(selectRecordedTracks(sending)?.key);
  });

  it('records the program’s main video once the technicians took one, with its speaker’s microphone', () => {
    const onAir = [
      producer('cam-a', 'camera', 'a'),
      producer('mic-a', 'microphone', 'a'),
      producer('screen-b', 'screen', 'b'),
      producer('mic-b', 'microphone', 'b'),
    ];
    expect(ids(onAir)).toEqual(['screen-b', 'mic-b']);
    expect(selectRecordedTracks(onAir, { main: 'cam-a', inset: 'screen-b' })).toMatchObject({ video: { producerId: 'cam-a' }, audio: { producerId: 'mic-a' } });
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
    expect(selectRecordedTracks([...onAir, ...slate], shown)).toMatchObject({ video: { producerId: 'slate-video' }, audio: { producerId: 'mic-a' } });
    expect(selectRecordedTracks([producer('cam-a', 'camera', 'a'), ...slate], shown)).toMatchObject({
      video: { producerId: 'slate-video' },
      audio: { producerId: 'slate-silence' },
    });
    // Not shown: the slate is never Estrad's own choice of picture.
    expect(ids([...onAir, ...slate])).toEqual(['cam-a', 'mic-a']);
  });
});
