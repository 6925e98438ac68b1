/**
 * Password (and event access code) hashing with scrypt from node:crypto. The stored string carries
 * its own parameters — `scrypt$N$r$p$salt$hash`, salt and hash in base64url — so the cost can be
 * raised later without invalidating existing hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../errors.js';

// One of OWASP's equivalent minimum configurations (N=2^17,r=8,p=1 ≈ N=2^15,r=8,p=3): it needs
// 32 MiB per hash instead of 128 MiB, which matters with several logins at once on a small box.
const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 3 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
// Bounds for parameters read back from storage, so a tampered row cannot make verify() eat
// gigabytes of memory.
const MAX_COST_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** What a refused sign-in tells the client: about one hash's time on a busy machine. */
const RETRY_AFTER_SECONDS = 5;

/**
 * scrypt runs on libuv's thread pool (4 threads by default), which also serves every file read:
 * HLS playlists and segments, the client's pages. Hashes beyond `concurrency` wait, at most
 * `queue` of them; more are refused at once, so a flood of sign-ins from many addresses (each
 * under its rate limit) cannot put viewers' files behind hours of hashing.
 */
class HashingSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running++;
    } else {
      if (this.waiting.length >= this.queue) {
        throw new AppError('unavailable', 'The server is busy checking other sign-ins; try again in a few seconds.', RETRY_AFTER_SECONDS);
      }
      // A finishing hash hands its slot straight over, so `running` stays counted.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await hash();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

// One per process, like the thread pool it protects; start-up sets it from the configuration.
let slots = new HashingSlots(1, 32);

export function limitPasswordHashing(limits: { concurrency: number; queue: number }): void {
  slots = new HashingSlots(limits.concurrency, limits.queue);
}

function deriveKey(password: string, salt: Buffer, cost: ScryptCost, keyLength: number): Promise<Buffer> {
  return slots.run(() => scryptKey(password, salt, cost, keyLength));
}

function scryptKey(password: string, salt: Buffer, cost: ScryptCost, keyLength: number): Promise<Buffer> {
  // OpenSSL needs a little over 128·N·r bytes, just past Node's default 32 MiB limit at our cost.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, DEFAULT_COST, KEY_BYTES);
  const { N, r, p } = DEFAULT_COST;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (!parsed) return false;
  const key = await deriveKey(password, parsed.salt, parsed.cost, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/**
 * Spends the time of a real verification; used when there is no account to check against, so the
 * response time does not tell which usernames exist.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  await deriveKey(password, Buffer.alloc(SALT_BYTES), DEFAULT_COST, KEY_BYTES);
  return false;
}

function parseStoredHash(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined || rest.length > 0) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const withinBounds =
    Number.isInteger(Math.log2(cost.N)) &&
    cost.N > 1 &&
    cost.N <= MAX_COST_N &&
    Number.isInteger(cost.r) &&
    cost.r >= 1 &&
    cost.r <= MAX_R &&
    Number.isInteger(cost.p) &&
    cost.p >= 1 &&
    cost.p <= MAX_P;
  if (!withinBounds) return undefined;
  const keyBytes = Buffer.from(key, 'base64url');
  if (keyBytes.length < 16) return undefined;
  return { cost, salt: Buffer.from(salt, 'base64url'), key: keyBytes };
}
