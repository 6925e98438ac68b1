import type { types } from 'mediasoup-client';
import { describe, expect, it } from 'vitest';
import type { MediaSource, ProducerInfo } from '../../shared/protocol';
import { Backoff } from '../../client/src/live/session';
import { type ConsumedTrack, pickInsetProducer, pickInsetVideo, pickShownProducer, pickShownVideo, spatialLayerFor } from '../../client/src/live/viewer';

function track(id: string, source: MediaSource, producerPaused = false): ConsumedTrack {
  // Only the ids are read from the consumer here; the choice is about the program, source and pause state.
  return { consumer: { id, producerId: id } as types.Consumer, source, producerPaused, flowing: true, spatialLayers: 3 };
}

const shown = (candidates: ConsumedTrack[]) => pickShownVideo(candidates)?.consumer.id;

describe('which video a viewer is shown', () => {
  it('shows the screen share over a camera, whichever came first', () => {
    expect(shown([track('cam', 'camera'), track('screen', 'screen')])).toBe('screen');
    expect(shown([track('screen', 'screen'), track('cam', 'camera')])).toBe('screen');
    expect(shown([track('cam', 'camera')])).toBe('cam');
    expect(shown([])).toBeUndefined();
  });

  it('shows the newest of two cameras, as the recording does', () => {
    expect(shown([track('cam-a', 'camera'), track('cam-b', 'camera')])).toBe('cam-b');
    expect(pickShownProducer([producer('cam-a', 'camera'), producer('cam-b', 'camera')])?.producerId).toBe('cam-b');
  });

  it('prefers a running picture to a paused one', () => {
    expect(shown([track('screen', 'screen', true), track('cam', 'camera')])).toBe('cam');
    expect(shown([track('cam', 'camera', true), track('screen', 'screen', true)])).toBe('screen');
  });

  it('shows the program’s main video once the technicians took one, while it runs', () => {
    const candidates = [track('cam-a', 'camera'), track('screen', 'screen'), track('cam-b', 'camera')];
    expect(pickShownVideo(candidates, 'cam-a')?.consumer.id).toBe('cam-a');
    expect(pickShownVideo(candidates, 'gone')?.consumer.id).toBe('screen');
    expect(pickShownVideo([track('cam-a', 'camera', true), track('cam-b', 'camera')], 'cam-a')?.consumer.id).toBe('cam-b');
  });
});

function producer(producerId: string, source: MediaSource, paused = false): ProducerInfo {
  return { producerId, kind: source === 'camera' || source === 'screen' ? 'video' : 'audio', source, peerId: 'speaker', paused };
}

describe('which video starts flowing as it is consumed (from the join, before any consumer exists)', () => {
  it('is the one that will be shown: the screen share over the camera, a running picture over a paused one, never sound', () => {
    const shownOf = (producers: ProducerInfo[]) => pickShownProducer(producers)?.producerId;
    expect(shownOf([producer('mic', 'microphone'), producer('cam', 'camera'), producer('screen', 'screen')])).toBe('screen');
    expect(shownOf([producer('screen', 'screen', true), producer('cam', 'camera')])).toBe('cam');
    expect(shownOf([producer('mic', 'microphone'), producer('screen-sound', 'screen-audio')])).toBeUndefined();
  });
});

describe('which video a viewer sees as the inset, over the main picture', () => {
  const estradsChoice = { main: null, inset: null };
  const inset = (candidates: ConsumedTrack[], program: { main: string | null; inset: string | null }) =>
    pickInsetVideo(candidates, program, pickShownVideo(candidates, program.main))?.consumer.id;

  it('is the camera beside a screen share while the technicians took nothing, and none beside a camera or a paused camera', () => {
    expect(inset([track('cam', 'camera'), track('screen', 'screen')], estradsChoice)).toBe('cam');
    expect(inset([track('cam', 'camera')], estradsChoice)).toBeUndefined();
    expect(inset([track('cam-a', 'camera'), track('cam-b', 'camera')], estradsChoice)).toBeUndefined();
    expect(inset([track('cam', 'camera', true), track('screen', 'screen')], estradsChoice)).toBeUndefined();
  });

  it('is the Take’s inset while it runs, and none when the Take has a main alone', () => {
    const candidates = [track('cam', 'camera'), track('screen', 'screen')];
    expect(inset(candidates, { main: 'cam', inset: 'screen' })).toBe('screen');
    expect(inset(candidates, { main: 'screen', inset: null })).toBeUndefined();
    expect(inset([track('cam', 'camera'), track('screen', 'screen', true)], { main: 'cam', inset: 'screen' })).toBeUndefined();
  });

  it('is chosen the same way from the join’s producers, so it starts flowing as it is consumed', () => {
    const producers = [producer('mic', 'microphone'), producer('cam', 'camera'), producer('screen', 'screen')];
    expect(pickInsetProducer(producers, estradsChoice, pickShownProducer(producers))?.producerId).toBe('cam');
  });
});

describe('the simulcast layer a player asks for', () => {
  it('is the lowest that looks sharp at the picture height in device pixels', () => {
    expect([1, 200, 201, 400, 401, 2160].map(spatialLayerFor)).toEqual([0, 0, 1, 1, 2, 2]);
  });
});

describe('reconnecting', () => {
  it('waits 0.5 s, doubling up to 5 s, and starts again from 0.5 s once connected', () => {
    const backoff = new Backoff();
    expect(Array.from({ length: 7 }, () => backoff.next())).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});
