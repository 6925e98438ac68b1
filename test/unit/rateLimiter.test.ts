import { describe, expect, it } from 'vitest';
import { EventRateLimiter } from '../../server/signalling/rateLimiter.js';

describe('socket event rate limiting', () => {
  it('allows a burst, then refuses until tokens refill', () => {
    const limiter = new EventRateLimiter(5, 10, 100);
    const now = 1_000_000;
    const allowed = Array.from({ length: 8 }, () => limiter.allow(now)).filter(Boolean).length;
    expect(allowed).toBe(5);
    expect(limiter.allow(now + 100)).toBe(true);
    expect(limiter.allow(now + 100)).toBe(false);
  });

  it('asks to disconnect a client that keeps flooding after refusals', () => {
    const limiter = new EventRateLimiter(1, 1, 3);
    const now = 1_000_000;
    limiter.allow(now);
    for (let i = 0; i < 3; i++) limiter.allow(now);
    expect(limiter.shouldDisconnect()).toBe(true);
  });

  it('forgives refusals once the client behaves', () => {
    const limiter = new EventRateLimiter(1, 1, 3);
    limiter.allow(0);
    limiter.allow(0);
    limiter.allow(0);
    expect(limiter.allow(5000)).toBe(true);
    expect(limiter.shouldDisconnect()).toBe(false);
  });
});
