import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SECRET_FILE = 'viewer-pass.key';
const SECRET_BYTES = 32;

/**
 * Passes for viewers of a private event who entered its access code: signed, not stored, so that
 * hundreds of attendees behind one code cost no rows. The key lives in the data directory, so
 * passes survive a restart.
 */
export class ViewerPasses {
  private constructor(private readonly key: Buffer) {}

  static fromDataDir(dataDir: string): ViewerPasses {
    const path = join(dataDir, SECRET_FILE);
    if (!existsSync(path)) {
      writeFileSync(path, randomBytes(SECRET_BYTES), { flag: 'wx' });
      chmodSync(path, 0o600);
    }
    return new ViewerPasses(readFileSync(path));
  }

  issue(eventId: string, ttlMs: number, now = Date.now()): { pass: string; expiresAt: string } {
    const expiresAt = now + ttlMs;
    const body = `${Buffer.from(eventId).toString('base64url')}.${expiresAt.toString(36)}`;
    return { pass: `${body}.${this.sign(body)}`, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The event a pass opens, if it is genuine and not expired. */
  verify(pass: string, now = Date.now()): string | undefined {
    const [encodedEvent, expiry, signature] = pass.split('.');
    if (!encodedEvent || !expiry || !signature) return undefined;
    const expected = Buffer.from(this.sign(`${encodedEvent}.${expiry}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (parseInt(expiry, 36) <= now) return undefined;
    return Buffer.from(encodedEvent, 'base64url').toString();
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
