import type { SpeakerPlacement, StageSpeaker } from '../../shared/protocol.js';
import type { SpeakerInviteRef } from './peer.js';

/**
 * A stage's last Take by feed key (`feedKey`): what the program shows again when that feed comes
 * back on air (a speaker reconnecting, the media rebuilt, the server restarted). Null main: Estrad chooses.
 */
export interface ProgramTake {
  main: string | null;
  inset: string | null;
}

/** Where the lineup keeps what it holds across restarts (the database; nothing in unit tests). */
export interface LineupStore {
  speakersOnAir(): { stageId: string; invite: SpeakerInviteRef }[];
  programTakes(): { stageId: string; take: ProgramTake }[];
  saveSpeakerOnAir(stageId: string, inviteId: string, onAir: boolean): void;
  saveProgramTake(stageId: string, take: ProgramTake): void;
}

const NO_TAKE: ProgramTake = { main: null, inset: null };

/**
 * Which invited speakers the technicians took to air, per stage, and each stage's last Take. A
 * placement belongs to the invite, not to one connection: a speaker whose network dropped comes
 * back where they were, and a technician may clear a speaker for air before they connect. Both
 * outlive the stage's media (a stage nobody is on closes) and, through the store, a restart.
 */
export class SpeakerLineup {
  /** By stage id, then invite id: the invites on air. */
  private readonly onAir = new Map<string, Map<string, SpeakerInviteRef>>();
  private readonly takes = new Map<string, ProgramTake>();

  constructor(private readonly store?: LineupStore) {
    for (const { stageId, invite } of store?.speakersOnAir() ?? []) this.remember(stageId, invite, 'on-air');
    for (const { stageId, take } of store?.programTakes() ?? []) this.takes.set(stageId, take);
  }

  placement(stageId: string, inviteId: string): SpeakerPlacement {
    return this.onAir.get(stageId)?.has(inviteId) ? 'on-air' : 'backstage';
  }

  place(stageId: string, invite: SpeakerInviteRef, placement: SpeakerPlacement): void {
    if (this.placement(stageId, invite.id) === placement) return;
    this.remember(stageId, invite, placement);
    this.store?.saveSpeakerOnAir(stageId, invite.id, placement === 'on-air');
  }

  /** The invites on air on the stage, as speakers not connected: the stage marks those who are. */
  onAirSpeakers(stageId: string): StageSpeaker[] {
    return [...(this.onAir.get(stageId)?.values() ?? [])].map((invite) => absentSpeaker(invite, 'on-air'));
  }

  programTake(stageId: string): ProgramTake {
    return this.takes.get(stageId) ?? NO_TAKE;
  }

  takeProgram(stageId: string, take: ProgramTake): void {
    this.takes.set(stageId, { ...take });
    this.store?.saveProgramTake(stageId, take);
  }

  private remember(stageId: string, invite: SpeakerInviteRef, placement: SpeakerPlacement): void {
    const invites = this.onAir.get(stageId) ?? new Map<string, SpeakerInviteRef>();
    if (placement === 'on-air') invites.set(invite.id, invite);
    else invites.delete(invite.id);
    if (invites.size > 0) this.onAir.set(stageId, invites);
    else this.onAir.delete(stageId);
  }
}

/** A speaker nobody is connected as. */
export function absentSpeaker(invite: SpeakerInviteRef, placement: SpeakerPlacement): StageSpeaker {
  return { inviteId: invite.id, label: invite.label, placement, connected: false, producers: [] };
}
