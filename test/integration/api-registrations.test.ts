import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationResponse } from '../../shared/protocol.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { connect, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { type Answer, apiCaller, type Caller, expectError, programmeDocument } from './api-fixtures.js';

const register = (call: Caller, name: string, email: string, eventId = 'closed-day') =>
  call<RegistrationResponse>('POST', '/api/registrations', { eventId, name, email });

/** Whether a socket presenting `access` may join the stage as a viewer. */
async function canWatch(server: RunningServer, stageId: string, access?: string): Promise<boolean> {
  const socket = await connect(server.url, access === undefined ? {} : { access });
  try {
    const joined = await request(socket, 'stage:join', { stageId, role: 'viewer' });
    if (!joined.ok) expect(joined.error.code).toBe('forbidden');
    return joined.ok;
  } finally {
    socket.disconnect();
  }
}

function csvRows(answer: Answer): string[][] {
  // Not redundant: without columns, csv-parse's typing does not say the rows are string arrays.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return parse(answer.text, { bom: true }) as string[][];
}

describe('registrations', () => {
  let server: RunningServer;
  let asTechnician: Caller;
  let anonymous: Caller;

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, REGISTRATION_RATE_LIMIT_PER_MINUTE: '1000' });
    asTechnician = apiCaller(server, { cookie: (await technicianClient(server)).cookie });
    anonymous = apiCaller(server);
    for (const document of [
      programmeDocument('closed-day', 'private', ['closed-a', 'closed-b']),
      programmeDocument('other-day', 'private', ['other-a', 'other-b']),
    ]) {
      expect((await asTechnician('POST', '/api/programme', document)).status).toBe(201);
    }
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('gives a personal watch link whose token opens the private event, and only that event', async () => {
    expect(await canWatch(server, 'closed-a')).toBe(false);
    const answer = await register(anonymous, 'Åsa Öberg', 'asa.oberg@kommun.se');
    expect(answer.status, answer.text).toBe(201);
    const { registrationId, watchUrl, token } = answer.body;
    expect(registrationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(watchUrl).toBe(`/watch/closed-a?access=${token}`);

    const link = new URL(watchUrl, server.url);
    expect((await fetch(link)).status).toBe(200);
    const access = link.searchParams.get('access')!;
    expect(await canWatch(server, 'closed-a', access)).toBe(true);
    expect(await canWatch(server, 'closed-b', access)).toBe(true);
    expect(await canWatch(server, 'other-a', access)).toBe(false);
  });

  it('never lets someone who only knows an address take its link: a repeat answers like a new registration, the owner\u2019s link keeps working', async () => {
    const owner = await register(anonymous, 'Per Persson', 'per@example.se');
    expect(owner.status).toBe(201);
    const repeat = await register(anonymous, 'Per P.', 'PER@Example.se');
    const stranger = await register(anonymous, 'Ny Person', 'ny.person@example.se');
    // Same status and shape whether or not the address was known: the answer reveals nothing.
    expect(repeat.status).toBe(stranger.status);
    expect(Object.keys(repeat.body).sort()).toEqual(Object.keys(stranger.body).sort());
    expect(repeat.body.watchUrl).toBe(`/watch/closed-a?access=${repeat.body.token}`);
    expect(repeat.body.registrationId).not.toBe(owner.body.registrationId);
    expect(repeat.text.length).toBe(stranger.text.length);

    expect(await canWatch(server, 'closed-a', owner.body.token)).toBe(true);
    expect(await canWatch(server, 'closed-a', repeat.body.token)).toBe(false);
    expect(await canWatch(server, 'closed-a', stranger.body.token)).toBe(true);
    const rows = csvRows(await asTechnician('GET', '/api/events/closed-day/registrations.csv'));
    expect(rows.filter((row) => row[1]!.toLowerCase() === 'per@example.se')).toEqual([
      // registered_at, in the database's one ISO shape.
      ['Per Persson', 'per@example.se', expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)],
    ]);
  });

  it('lets a technician issue a registered attendee a new link, which replaces the lost one', async () => {
    const owner = await register(anonymous, 'Lena Lind', 'lena@example.se');
    expectError(await anonymous('POST', '/api/events/closed-day/registrations/link', { email: 'lena@example.se' }), 401, 'unauthorized');
    const reissued = await asTechnician<RegistrationResponse>('POST', '/api/events/closed-day/registrations/link', { email: 'Lena@Example.se' });
    expect(reissued.status, reissued.text).toBe(200);
    expect(reissued.body.registrationId).toBe(owner.body.registrationId);
    expect(reissued.body.watchUrl).toBe(`/watch/closed-a?access=${reissued.body.token}`);
    expect(await canWatch(server, 'closed-a', reissued.body.token)).toBe(true);
    expect(await canWatch(server, 'closed-a', owner.body.token)).toBe(false);
    expectError(await asTechnician('POST', '/api/events/closed-day/registrations/link', { email: 'nobody@example.se' }), 404, 'not_found', 'nobody@example.se');
    expectError(await asTechnician('POST', '/api/events/other-day/registrations/link', { email: 'lena@example.se' }), 404, 'not_found');
  });

  it('refuses bad registrations naming the field, and unknown events with 404, changing nothing', async () => {
    const before = snapshotDatabase(server.dataDir);
    expectError(await register(anonymous, 'Anna', 'not-an-address'), 400, 'invalid_payload', 'email');
    expectError(await register(anonymous, '  ', 'anna@example.se'), 400, 'invalid_payload', 'name');
    expectError(await register(anonymous, 'Anna', 'anna@example.se', 'Closed Day'), 400, 'invalid_payload', 'eventId');
    expectError(
      await anonymous('POST', '/api/registrations', { eventId: 'closed-day', name: 'Anna', email: 'anna@example.se', admin: true }),
      400,
      'invalid_payload',
      'admin',
    );
    expectError(await register(anonymous, 'Anna', 'anna@example.se', 'no-such-day'), 404, 'not_found', 'no-such-day');
    expectError(await asTechnician('GET', '/api/events/no-such-day/registrations.csv'), 404, 'not_found');
    expectError(await asTechnician('GET', '/api/events/Bad_Id/registrations.csv'), 400, 'invalid_payload', 'eventId');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('stores names in one Unicode form (NFC), so a decomposed \u00c5 is the same letter as a composed one', async () => {
    expect((await register(anonymous, 'A\u030Asa Nystr\u00f6m', 'asa.nystrom@example.se')).status).toBe(201);
    const rows = csvRows(await asTechnician('GET', '/api/events/closed-day/registrations.csv'));
    expect(rows.find((row) => row[1] === 'asa.nystrom@example.se')?.[0]).toBe('\u00c5sa Nystr\u00f6m');
  });

  it('downloads the registrations as a UTF-8 CSV attachment, with formulas neutralised', async () => {
    expect((await register(anonymous, '=HYPERLINK("http://evil.example","klicka")', 'formula@example.se', 'other-day')).status).toBe(201);
    expect((await register(anonymous, 'Örjan Ågren', 'orjan@example.se', 'other-day')).status).toBe(201);
    const answer = await asTechnician('GET', '/api/events/other-day/registrations.csv');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename="registrations-other-day.csv"');
    expect(answer.text.startsWith('\uFEFFname,email,registered_at\r\n')).toBe(true);
    const [header, ...rows] = csvRows(answer);
    expect(header).toEqual(['name', 'email', 'registered_at']);
    expect(rows.map((row) => row.slice(0, 2))).toEqual([
      ['\'=HYPERLINK("http://evil.example","klicka")', 'formula@example.se'],
      ['Örjan Ågren', 'orjan@example.se'],
    ]);
    for (const row of rows) expect(new Date(row[2]!).toISOString()).toBe(row[2]);
  });

  it('takes 200 concurrent registrations: all 201, 200 distinct rows in the CSV', async () => {
    const emails = Array.from({ length: 200 }, (_, index) => `crowd-${index}@example.se`);
    const answers = await Promise.all(emails.map((email, index) => register(anonymous, `Deltagare ${index}`, email)));
    expect(answers.map((answer) => answer.status)).toEqual(emails.map(() => 201));
    expect(new Set(answers.map((answer) => answer.body.registrationId)).size).toBe(200);
    expect(new Set(answers.map((answer) => answer.body.token)).size).toBe(200);

    const rows = csvRows(await asTechnician('GET', '/api/events/closed-day/registrations.csv')).slice(1);
    const crowd = rows.filter((row) => row[1]!.startsWith('crowd-'));
    expect(crowd.map((row) => row[1]).sort()).toEqual([...emails].sort());
    expect(new Set(rows.map((row) => row[1])).size).toBe(rows.length);
  });
});

describe('rate limits with the default settings', () => {
  let server: RunningServer;
  let anonymous: Caller;

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV });
    const asTechnician = apiCaller(server, { cookie: (await technicianClient(server)).cookie });
    expect((await asTechnician('POST', '/api/programme', programmeDocument('busy-day', 'public', ['busy-a', 'busy-b']))).status).toBe(201);
    anonymous = apiCaller(server);
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('answers the 31st registration in a minute from one client with 429', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 30; index++) statuses.push((await register(anonymous, `Person ${index}`, `person-${index}@example.se`, 'busy-day')).status);
    expect(statuses).toEqual(Array.from({ length: 30 }, () => 201));
    const before = snapshotDatabase(server.dataDir);
    expectError(await register(anonymous, 'One too many', 'late@example.se', 'busy-day'), 429, 'rate_limited');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('answers the 11th sign-in attempt in a minute with 429, even with the right password', async () => {
    // technicianClient signed in once in beforeAll: nine more attempts fill the minute's ten.
    for (let index = 0; index < 9; index++) {
      expectError(await anonymous('POST', '/api/auth/login', { username: 'tech', password: `wrong-password-${index}` }), 401, 'unauthorized');
    }
    expectError(await anonymous('POST', '/api/auth/login', { username: 'tech', password: TECHNICIAN_ENV.ADMIN_PASSWORD }), 429, 'rate_limited');
  });
});
