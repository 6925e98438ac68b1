import { setImmediate as nextTurn } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { databasePath, type Database } from '../../server/storage/database.js';
import {
  countRegistrations,
  findRegistrationByToken,
  listRegistrations,
  registerForEvent,
  type RegistrationInput,
} from '../../server/storage/registrations.js';
import { hashToken } from '../../server/storage/tokens.js';
import { createEventWithStage, openTempDatabase, sampleEvent, tempDataDir } from './helpers.js';

const CONCURRENT_CALLS = 200;

/** How an HTTP handler calls it: from an async function, with other work interleaved. */
async function registerAsync(db: Database, input: RegistrationInput) {
  await nextTurn();
  return registerForEvent(db, input);
}

describe('registrations', () => {
  it('stores 200 concurrent registrations, each once, each with a working token', async () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const results = await Promise.all(
      Array.from({ length: CONCURRENT_CALLS }, (_, index) =>
        registerAsync(db, { eventId: sampleEvent.id, name: `Deltagare ${index}`, email: `deltagare${index}@example.se` }),
      ),
    );
    expect(results.every((result) => result !== undefined)).toBe(true);
    expect(countRegistrations(db, sampleEvent.id)).toBe(CONCURRENT_CALLS);
    expect(new Set(results.map((result) => result!.token)).size).toBe(CONCURRENT_CALLS);
    for (const result of results) expect(findRegistrationByToken(db, result!.token)?.id).toBe(result!.registration.id);
  });

  it('keeps one registration for 200 concurrent sign-ups with the same address; only the first gets a token, and it keeps working', async () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const spellings = ['Anna.Berg@Example.se', ' anna.berg@example.se', 'ANNA.BERG@EXAMPLE.SE '];
    const results = await Promise.all(
      Array.from({ length: CONCURRENT_CALLS }, (_, index) =>
        registerAsync(db, { eventId: sampleEvent.id, name: 'Anna Berg', email: spellings[index % spellings.length] ?? '' }),
      ),
    );
    expect(listRegistrations(db, sampleEvent.id)).toHaveLength(1);
    const issued = results.filter((result) => result !== undefined);
    expect(issued).toHaveLength(1);
    expect(findRegistrationByToken(db, issued[0]!.token)?.id).toBe(listRegistrations(db, sampleEvent.id)[0]!.id);
  });

  it('is just as safe with two connections to the same file writing in turn', () => {
    const dataDir = tempDataDir();
    const first = openTempDatabase(dataDir);
    createEventWithStage(first);
    const second = openTempDatabase(dataDir);
    const results = Array.from({ length: CONCURRENT_CALLS }, (_, index) =>
      registerForEvent(index % 2 ? first : second, { eventId: sampleEvent.id, name: 'Bo', email: `bo${index % 10}@example.se` }),
    );
    expect(countRegistrations(first, sampleEvent.id)).toBe(10);
    expect(results.filter((result) => result !== undefined)).toHaveLength(10);
  });

  it('keeps the registration separate per event and stores only token hashes', () => {
    const dataDir = tempDataDir();
    const db = openTempDatabase(dataDir);
    createEventWithStage(db, 'dag-ett', 'scen-ett');
    createEventWithStage(db, 'dag-tva', 'scen-tva');
    const one = registerForEvent(db, { eventId: 'dag-ett', name: 'Åsa Öberg', email: 'asa@example.se' })!;
    const two = registerForEvent(db, { eventId: 'dag-tva', name: 'Åsa Öberg', email: 'asa@example.se' })!;
    expect(one.registration.id).not.toBe(two.registration.id);
    expect(one.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const raw = new BetterSqlite3(databasePath(dataDir), { readonly: true });
    const stored = raw.prepare<[], string>('SELECT token_hash FROM registrations').pluck().all();
    raw.close();
    expect(stored).toEqual(expect.arrayContaining([hashToken(one.token), hashToken(two.token)]));
    expect(stored).not.toContain(one.token);
    expect(findRegistrationByToken(db, 'not-a-token')).toBeUndefined();
  });

  it('refuses a registration for an event that does not exist', () => {
    const db = openTempDatabase();
    expect(() => registerForEvent(db, { eventId: 'missing', name: 'X', email: 'x@example.se' })).toThrow(/FOREIGN KEY/);
  });
});
