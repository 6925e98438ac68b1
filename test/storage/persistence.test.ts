import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/storage/database.js';
import { createEvent, listEvents, setEventAccessCode, updateEvent, verifyEventAccessCode } from '../../server/storage/events.js';
import { createSpeakerInvite, findValidSpeakerInvite } from '../../server/storage/invites.js';
import { createQuestion, listQuestions, setQuestionStatus } from '../../server/storage/questions.js';
import { finishRecording, getRecording, listRecordingsByStage, startRecording, updateRecordingProgress } from '../../server/storage/recordings.js';
import { findRegistrationByToken, listRegistrations, registerForEvent } from '../../server/storage/registrations.js';
import { createSpeaker, listSpeakers, updateSpeaker } from '../../server/storage/speakers.js';
import { createStage, listAllStages, listStages, updateStage } from '../../server/storage/stages.js';
import { cleanUpAfterRestart } from '../../server/storage/startup.js';
import { createTalk, getTalk, listTalksByStage, updateTalk } from '../../server/storage/talks.js';
import { authenticateTechnician, createAuthSession, createTechnician, findValidAuthSession } from '../../server/storage/technicians.js';
import { listViewingsByStage, startViewing } from '../../server/storage/viewings.js';
import { openTempDatabase, sampleEvent, tempDataDir } from './helpers.js';

const morning = new Date('2026-05-20T07:00:00.000Z');

describe('everything survives a restart', () => {
  it('finds events, stages, talks, speakers, registrations, recordings and more after re-opening the file', async () => {
    const dataDir = tempDataDir();
    const before = openDatabase(dataDir);
    createEvent(before, sampleEvent, morning);
    createStage(before, { id: 'stora', eventId: sampleEvent.id, title: 'Stora scenen', position: 0 });
    createStage(before, { id: 'lilla', eventId: sampleEvent.id, title: 'Lilla scenen', position: 1 });
    const speaker = createSpeaker(before, { eventId: sampleEvent.id, name: 'Åke Ström', organisation: 'Region Jämtland Härjedalen' });
    const talk = createTalk(before, {
      stageId: 'stora',
      title: 'Öppning',
      kind: 'talk',
      plannedStart: '2026-05-20T09:00:00+02:00',
      plannedEnd: '2026-05-20T09:30:00+02:00',
      speakerIds: [speaker.id],
    });
    const { token } = registerForEvent(before, { eventId: sampleEvent.id, name: 'Lena', email: 'lena@example.se' }, morning)!;
    const recording = startRecording(before, 'stora', morning);
    updateRecordingProgress(before, recording.id, { durationSeconds: 600, sizeBytes: 12_345_678 });
    const finished = startRecording(before, 'lilla', morning);
    finishRecording(before, finished.id, { status: 'complete', durationSeconds: 1800, sizeBytes: 99 }, new Date('2026-05-20T07:30:00.000Z'));
    startViewing(before, { stageId: 'stora', viewerKey: 'tittare-1' }, morning);
    const question = createQuestion(before, { stageId: 'stora', talkId: talk.id, authorName: 'Lena', text: 'Hur mäter ni effekten?' }, morning);
    setQuestionStatus(before, question.id, 'approved');
    await createTechnician(before, 'tekniker', 'ett långt lösenord');
    const session = createAuthSession(before, (await authenticateTechnician(before, 'tekniker', 'ett långt lösenord'))!.id, 60_000, morning);
    const invite = createSpeakerInvite(before, { stageId: 'stora', talkId: talk.id, label: 'Åke', expiresAt: '2026-05-21T00:00:00Z' }, morning);
    await setEventAccessCode(before, sampleEvent.id, 'hemligt');
    before.close();

    const after = openTempDatabase(dataDir);
    expect(listEvents(after)).toEqual([expect.objectContaining({ ...sampleEvent, hasAccessCode: true, createdAt: morning.toISOString() })]);
    expect(listStages(after, sampleEvent.id).map((stage) => stage.id)).toEqual(['stora', 'lilla']);
    expect(listAllStages(after)).toHaveLength(2);
    expect(listSpeakers(after, sampleEvent.id)).toEqual([speaker]);
    expect(listTalksByStage(after, 'stora')).toEqual([
      {
        ...talk,
        plannedStart: '2026-05-20T07:00:00.000Z',
        plannedEnd: '2026-05-20T07:30:00.000Z',
        speakers: [{ id: speaker.id, name: 'Åke Ström', organisation: 'Region Jämtland Härjedalen' }],
      },
    ]);
    expect(findRegistrationByToken(after, token)?.name).toBe('Lena');
    expect(listRegistrations(after, sampleEvent.id)).toHaveLength(1);
    expect(getRecording(after, recording.id)).toMatchObject({ status: 'recording', durationSeconds: 600, sizeBytes: 12_345_678 });
    expect(listRecordingsByStage(after, 'lilla')).toEqual([
      expect.objectContaining({ status: 'complete', endedAt: '2026-05-20T07:30:00.000Z', durationSeconds: 1800, failureReason: null }),
    ]);
    expect(listQuestions(after, 'stora', 'approved')).toEqual([{ ...question, status: 'approved', votes: 0 }]);
    expect(findValidAuthSession(after, session.token, morning)?.technicianId).toBeDefined();
    expect(findValidSpeakerInvite(after, invite.token, morning)?.id).toBe(invite.invite.id);
    expect(await verifyEventAccessCode(after, sampleEvent.id, 'hemligt')).toBe(true);
    expect(await verifyEventAccessCode(after, sampleEvent.id, 'fel')).toBe(false);

    // What the previous process left open is closed off at start-up.
    const restartedAt = new Date('2026-05-20T08:00:00.000Z');
    expect(cleanUpAfterRestart(after, restartedAt)).toEqual({ viewingsClosed: 1, recordingsInterrupted: 1, expiredSessionsPurged: 1 });
    expect(listViewingsByStage(after, 'stora')[0]?.endedAt).toBe(restartedAt.toISOString());
    expect(getRecording(after, recording.id)).toMatchObject({
      status: 'interrupted',
      endedAt: restartedAt.toISOString(),
      failureReason: expect.stringMatching(/server stopped/),
    });
    expect(cleanUpAfterRestart(after, restartedAt)).toEqual({ viewingsClosed: 0, recordingsInterrupted: 0, expiredSessionsPurged: 0 });
  });
});

describe('updates', () => {
  it('change only the fields given', () => {
    const db = openTempDatabase();
    createEvent(db, sampleEvent, morning);
    const later = new Date('2026-05-21T07:00:00.000Z');
    expect(updateEvent(db, sampleEvent.id, { title: 'Ny titel', description: undefined }, later)).toMatchObject({
      title: 'Ny titel',
      description: sampleEvent.description,
      createdAt: morning.toISOString(),
      updatedAt: later.toISOString(),
    });
    expect(updateEvent(db, 'missing', { title: 'x' })).toBeUndefined();

    createStage(db, { id: 'scen', eventId: sampleEvent.id, title: 'Scen' });
    expect(updateStage(db, 'scen', { position: 3 })).toEqual({ id: 'scen', eventId: sampleEvent.id, title: 'Scen', position: 3 });

    const anna = createSpeaker(db, { eventId: sampleEvent.id, name: 'Anna' });
    const bo = createSpeaker(db, { eventId: sampleEvent.id, name: 'Bo' });
    expect(updateSpeaker(db, anna.id, { organisation: 'Folkhälsomyndigheten' })?.organisation).toBe('Folkhälsomyndigheten');

    const talk = createTalk(db, { stageId: 'scen', title: 'Panel', kind: 'panel', plannedStart: morning, plannedEnd: later, speakerIds: [anna.id, bo.id] });
    expect(talk.speakers.map((speaker) => speaker.name)).toEqual(['Anna', 'Bo']);
    expect(updateTalk(db, talk.id, { title: 'Samtal' })?.speakers.map((speaker) => speaker.name)).toEqual(['Anna', 'Bo']);
    expect(updateTalk(db, talk.id, { speakerIds: [bo.id, anna.id] })?.speakers.map((speaker) => speaker.name)).toEqual(['Bo', 'Anna']);
    expect(() => updateTalk(db, talk.id, { plannedEnd: '2026-05-19T00:00:00Z' })).toThrow(/CHECK/);
    expect(getTalk(db, talk.id)?.plannedEnd).toBe(later.toISOString());
  });

  it('refuse to put a speaker of one event on a talk of another', () => {
    const db = openTempDatabase();
    createEvent(db, sampleEvent);
    createEvent(db, { ...sampleEvent, id: 'annat' });
    createStage(db, { id: 'scen', eventId: sampleEvent.id, title: 'Scen' });
    const stranger = createSpeaker(db, { eventId: 'annat', name: 'Främling' });
    expect(() =>
      createTalk(db, {
        stageId: 'scen',
        title: 'T',
        kind: 'talk',
        plannedStart: morning,
        plannedEnd: new Date(morning.getTime() + 60_000),
        speakerIds: [stranger.id],
      }),
    ).toThrow(/another event/);
    expect(listTalksByStage(db, 'scen')).toEqual([]);
  });
});
