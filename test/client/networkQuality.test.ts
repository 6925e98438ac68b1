import { describe, expect, it } from 'vitest';
import { networkQuality } from '../../client/src/live/networkQuality';

const remote = (roundTripTime: number, fractionLost: number) => ({ type: 'remote-inbound-rtp', roundTripTime, fractionLost });
const pair = (currentRoundTripTime: number) => ({ type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime });

describe('the speaker’s network quality, from the send transport’s statistics', () => {
  it('knows nothing before the server’s first receiver report', () => {
    expect(networkQuality([{ type: 'outbound-rtp' }, { type: 'transport' }])).toBeUndefined();
  });

  it('is good on a short round trip without loss', () => {
    expect(networkQuality([remote(0.02, 0), remote(0.03, 0), pair(0.025)])).toEqual({ level: 'good', roundTripMs: 30, lossPercent: 0 });
  });

  it('is fair with a long round trip or a little loss, judged by the worst stream', () => {
    expect(networkQuality([remote(0.2, 0)])?.level).toBe('fair');
    expect(networkQuality([remote(0.02, 0), remote(0.02, 0.05)])?.level).toBe('fair');
  });

  it('is poor with heavy loss or a very long round trip', () => {
    expect(networkQuality([remote(0.02, 0.1)])).toEqual({ level: 'poor', roundTripMs: 20, lossPercent: 10 });
    expect(networkQuality([pair(0.5)])?.level).toBe('poor');
  });

  it('ignores candidate pairs that are not the one in use', () => {
    expect(networkQuality([{ type: 'candidate-pair', state: 'failed', nominated: false, currentRoundTripTime: 2 }, remote(0.01, 0)])?.level).toBe('good');
  });
});
