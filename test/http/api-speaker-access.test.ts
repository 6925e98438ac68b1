import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InviteResponse } from '../../shared/protocol.js';
import { createSpeakerInvite } from '../../server/storage/invites.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { type Caller, expectError, programmeDocument } from '../integration/api-fixtures.js';

/** The answer the speak page gets when it asks, before the camera, whether its invite opens the stage. */
function speakerAccess(anonymous: Caller, stageId: string, invite?: string) {
  return anonymous('GET', `/api/stages/${stageId}/speaker-access`, undefined, invite === undefined ? {} : { 'x-estrad-invite': invite });
}

describe('speaker access: a bad invite is refused with a code saying what is wrong with it', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  const day = programmeDocument('speaking-day', 'public', ['aula', 'annex']);

  beforeAll(async () => {
    server = await startApiServer({ ...TECHNICIAN_ENV });
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    expect((await asTechnician('POST', '/api/programme', day)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  const invite = async (stageId: string) => (await asTechnician<InviteResponse>('POST', `/api/stages/${stageId}/invites`, { label: 'Anna' })).body;

  it('lets a valid invite on its own stage, and tells another stage’s invite apart', async () => {
    const valid = await invite('aula');
    expect((await speakerAccess(anonymous, 'aula', valid.token)).status).toBe(204);
    expectError(await speakerAccess(anonymous, 'annex', valid.token), 403, 'invite_wrong_stage', '"aula"', '"annex"');
  });

  it('says the invite was revoked, once the technicians revoked it', async () => {
    const revoked = await invite('aula');
    expect((await asTechnician('DELETE', `/api/invites/${revoked.id}`)).status).toBe(204);
    expectError(await speakerAccess(anonymous, 'aula', revoked.token), 403, 'invite_revoked', 'revoked');
  });

  it('says the invite expired, once its time has passed', async () => {
    const { token, invite: expired } = createSpeakerInvite(server.db, { stageId: 'aula', expiresAt: new Date(Date.now() - 1_000) });
    expectError(await speakerAccess(anonymous, 'aula', token), 403, 'invite_expired', expired.expiresAt);
  });

  it('says a made-up or damaged invite is not valid, and a missing one is needed, changing nothing', async () => {
    const valid = await invite('aula');
    const before = snapshotDatabase(server.dataDir);
    expectError(await speakerAccess(anonymous, 'aula', 'x'.repeat(43)), 403, 'invite_invalid');
    expectError(await speakerAccess(anonymous, 'aula', valid.token.slice(0, 20)), 403, 'invite_invalid');
    expectError(await speakerAccess(anonymous, 'aula', 'cut short'), 403, 'invite_invalid', 'damaged');
    expectError(await speakerAccess(anonymous, 'aula'), 403, 'forbidden', 'invite');
    expectError(await speakerAccess(anonymous, 'no-such-stage', valid.token), 404, 'not_found', 'no-such-stage');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });
});
