import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEY_BYTES = 32;

/**
 * A secret HMAC key kept in a file of the data directory (made on first use, readable by the
 * server's user only), so what it signed stays valid across restarts and nothing signed needs a row.
 */
export class SigningKey {
  private constructor(private readonly key: Buffer) {}

  static fromDataDir(dataDir: string, fileName: string): SigningKey {
    const path = join(dataDir, fileName);
    if (!existsSync(path)) {
      writeFileSync(path, randomBytes(KEY_BYTES), { flag: 'wx' });
      chmodSync(path, 0o600);
    }
    return new SigningKey(readFileSync(path));
  }

  sign(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  /** Whether `signature` is this key's signature of `text`, compared in constant time. */
  verify(text: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(text));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
