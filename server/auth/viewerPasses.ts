import { SigningKey } from './signingKey.js';

const SECRET_FILE = 'viewer-pass.key';

/**
 * Passes for viewers of a private event who entered its access code: signed, not stored, so that
 * hundreds of attendees behind one code cost no rows. The key lives in the data directory, so
 * passes survive a restart.
 */
export class ViewerPasses {
  private constructor(private readonly key: SigningKey) {}

  static fromDataDir(dataDir: string): ViewerPasses {
    return new ViewerPasses(SigningKey.fromDataDir(dataDir, SECRET_FILE));
  }

  issue(eventId: string, ttlMs: number, now = Date.now()): { pass: string; expiresAt: string } {
    const expiresAt = now + ttlMs;
    const body = `${Buffer.from(eventId).toString('base64url')}.${expiresAt.toString(36)}`;
    return { pass: `${body}.${this.key.sign(body)}`, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The event a pass opens, if it is genuine and not expired. */
  verify(pass: string, now = Date.now()): string | undefined {
    const [encodedEvent, expiry, signature] = pass.split('.');
    if (!encodedEvent || !expiry || !signature) return undefined;
    if (!this.key.verify(`${encodedEvent}.${expiry}`, signature)) return undefined;
    if (parseInt(expiry, 36) <= now) return undefined;
    return Buffer.from(encodedEvent, 'base64url').toString();
  }
}
