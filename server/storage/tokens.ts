/**
 * Secrets handed to people (registration links, speaker invites, technician sessions) and the ids
 * of rows that never appear in URLs. The database keeps only a token's SHA-256: a leaked backup
 * does not let anyone in. Plain SHA-256 suffices because tokens carry 256 random bits; passwords,
 * which people choose, go through scrypt instead (passwords.ts).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

const TOKEN_BYTES = 32;

export interface IssuedToken {
  /** Given to its holder once and never stored. */
  token: string;
  tokenHash: string;
}

export function newId(): string {
  return randomUUID();
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function issueToken(): IssuedToken {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}
