/**
 * What the technicians put on air, as the database keeps it across restarts: the invited speakers
 * on air (the others wait backstage) and each stage's last Take, by feed key (see
 * domain/speakerLineup.ts). The domain holds the same in memory and writes every change here.
 */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';

export interface StoredSpeakerOnAir {
  stageId: string;
  invite: { id: string; label: string };
}

/** A stage's main and inset video by feed key; null main: Estrad chooses. */
export interface StoredProgramTake {
  main: string | null;
  inset: string | null;
}

const statements = preparedOnce((db) => ({
  speakersOnAir: db.prepare<[], { stageId: string; inviteId: string; label: string }>(
    `SELECT on_air.stage_id AS stageId, on_air.invite_id AS inviteId, invites.label AS label
     FROM speakers_on_air AS on_air JOIN speaker_invites AS invites ON invites.id = on_air.invite_id
     ORDER BY on_air.stage_id, invites.created_at`,
  ),
  // Not for a stage or invite deleted meanwhile: the placement went with it.
  putOnAir: db.prepare<[string, string, string]>(
    `INSERT OR IGNORE INTO speakers_on_air (stage_id, invite_id)
     SELECT stage_id, id FROM speaker_invites WHERE stage_id = ? AND id = ? AND EXISTS (SELECT 1 FROM stages WHERE id = ?)`,
  ),
  sendBackstage: db.prepare<[string, string]>('DELETE FROM speakers_on_air WHERE stage_id = ? AND invite_id = ?'),
  programTakes: db.prepare<[], { stageId: string; main: string | null; inset: string | null }>(
    'SELECT stage_id AS stageId, main_feed AS main, inset_feed AS inset FROM program_takes ORDER BY stage_id',
  ),
  saveTake: db.prepare<[string | null, string | null, string]>(
    `INSERT INTO program_takes (stage_id, main_feed, inset_feed) SELECT id, ?, ? FROM stages WHERE id = ?
     ON CONFLICT (stage_id) DO UPDATE SET main_feed = excluded.main_feed, inset_feed = excluded.inset_feed`,
  ),
}));

export function listSpeakersOnAir(db: Database): StoredSpeakerOnAir[] {
  return statements(db)
    .speakersOnAir.all()
    .map(({ stageId, inviteId, label }) => ({ stageId, invite: { id: inviteId, label } }));
}

export function saveSpeakerOnAir(db: Database, stageId: string, inviteId: string, onAir: boolean): void {
  if (onAir) statements(db).putOnAir.run(stageId, inviteId, stageId);
  else statements(db).sendBackstage.run(stageId, inviteId);
}

export function listProgramTakes(db: Database): { stageId: string; take: StoredProgramTake }[] {
  return statements(db)
    .programTakes.all()
    .map(({ stageId, main, inset }) => ({ stageId, take: { main, inset } }));
}

export function saveProgramTake(db: Database, stageId: string, take: StoredProgramTake): void {
  statements(db).saveTake.run(take.main, take.inset, stageId);
}

/** The lineup's store (domain/speakerLineup.ts LineupStore) over this database. */
export function backstageStore(db: Database) {
  return {
    speakersOnAir: () => listSpeakersOnAir(db),
    programTakes: () => listProgramTakes(db),
    saveSpeakerOnAir: (stageId: string, inviteId: string, onAir: boolean) => saveSpeakerOnAir(db, stageId, inviteId, onAir),
    saveProgramTake: (stageId: string, take: StoredProgramTake) => saveProgramTake(db, stageId, take),
  };
}
