import { describe, expect, it } from 'vitest';
import { isLoopbackAddress } from '../../server/auth/loopback.js';

describe('which callers are this machine', () => {
  it('takes 127.0.0.0/8 and ::1, also as IPv4-mapped addresses', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '127.255.255.254', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(address), address).toBe(true);
    }
  });

  it('refuses every other address, and what is not an address', () => {
    for (const address of ['10.0.0.1', '128.0.0.1', '126.255.255.255', '::2', '::ffff:10.0.0.1', 'fe80::1', '', 'localhost']) {
      expect(isLoopbackAddress(address), address).toBe(false);
    }
  });
});
