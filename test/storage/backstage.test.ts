import { describe, expect, it } from 'vitest';
import { listProgramTakes, listSpeakersOnAir, saveProgramTake, saveSpeakerOnAir } from '../../server/storage/backstage.js';
import { createSpeakerInvite } from '../../server/storage/invites.js';
import { createStage, deleteStage } from '../../server/storage/stages.js';
import { createEventWithStage, openTempDatabase, sampleEvent } from './helpers.js';

describe('backstage placements and Takes in the database', () => {
  it('keeps the speakers on air with their labels, and forgets those sent backstage', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const anna = createSpeakerInvite(db, { stageId: 'main', label: 'Anna Berg', expiresAt: '2099-01-01T00:00:00Z' }).invite;
    const omar = createSpeakerInvite(db, { stageId: 'main', label: 'Omar Haddad', expiresAt: '2099-01-01T00:00:00Z' }).invite;
    saveSpeakerOnAir(db, 'main', anna.id, true);
    saveSpeakerOnAir(db, 'main', omar.id, true);
    saveSpeakerOnAir(db, 'main', anna.id, true);
    saveSpeakerOnAir(db, 'main', omar.id, false);
    expect(listSpeakersOnAir(db)).toEqual([{ stageId: 'main', invite: { id: anna.id, label: 'Anna Berg' } }]);
  });

  it('stores nothing for an invite of another stage or a stage that is gone, and forgets a deleted stage', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    createStage(db, { id: 'side', eventId: sampleEvent.id, title: 'Sidoscenen' });
    const invite = createSpeakerInvite(db, { stageId: 'side', label: 'Anna Berg', expiresAt: '2099-01-01T00:00:00Z' }).invite;
    saveSpeakerOnAir(db, 'main', invite.id, true);
    saveProgramTake(db, 'gone', { main: 'invite:x/camera', inset: null });
    expect([listSpeakersOnAir(db), listProgramTakes(db)]).toEqual([[], []]);

    saveSpeakerOnAir(db, 'side', invite.id, true);
    saveProgramTake(db, 'side', { main: `invite:${invite.id}/camera`, inset: null });
    saveProgramTake(db, 'side', { main: `invite:${invite.id}/screen`, inset: `invite:${invite.id}/camera` });
    expect(listProgramTakes(db)).toEqual([{ stageId: 'side', take: { main: `invite:${invite.id}/screen`, inset: `invite:${invite.id}/camera` } }]);
    deleteStage(db, 'side');
    expect([listSpeakersOnAir(db), listProgramTakes(db)]).toEqual([[], []]);
  });
});
