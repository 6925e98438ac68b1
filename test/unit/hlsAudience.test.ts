import { describe, expect, it } from 'vitest';
import { HlsAudience } from '../../server/health/hlsAudience.js';

describe('the live HLS audience', () => {
  it('counts each client that reloaded a stage’s live playlist in the last seconds once, per stage', () => {
    const audience = new HlsAudience();
    const start = 1_000_000;
    for (let second = 0; second < 5; second++) {
      audience.noteLivePlaylistFetch('main', '10.0.0.1 Firefox', start + second * 1000);
      audience.noteLivePlaylistFetch('main', '10.0.0.1 Chrome', start + second * 1000);
    }
    audience.noteLivePlaylistFetch('side', '10.0.0.2 Safari', start);
    expect(audience.viewers('main', start + 4_500)).toBe(2);
    expect(audience.viewers('side', start + 4_500)).toBe(1);
    expect(audience.viewers('other', start + 4_500)).toBe(0);
    // A player that stopped reloading has left.
    expect(audience.viewers('side', start + 7_000)).toBe(0);
    expect(audience.viewers('main', start + 11_000)).toBe(0);
  });
});
