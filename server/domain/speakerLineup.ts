import type { SpeakerPlacement, StageSpeaker } from '../../shared/protocol.js';
import type { SpeakerInviteRef } from './peer.js';

/**
 * Which invited speakers the technicians took to air, per stage. A placement belongs to the
 * invite, not to one connection: a speaker whose network dropped comes back where they were, and
 * a technician may clear a speaker for air before they connect. It outlives the stage's media
 * (a stage nobody is on closes) but not a restart: afterwards every speaker arrives backstage.
 */
export class SpeakerLineup {
  /** By stage id, then invite id: the invites on air. */
  private readonly onAir = new Map<string, Map<string, SpeakerInviteRef>>();

  placement(stageId: string, inviteId: string): SpeakerPlacement {
    return this.onAir.get(stageId)?.has(inviteId) ? 'on-air' : 'backstage';
  }

  place(stageId: string, invite: SpeakerInviteRef, placement: SpeakerPlacement): void {
    const invites = this.onAir.get(stageId) ?? new Map<string, SpeakerInviteRef>();
    if (placement === 'on-air') invites.set(invite.id, invite);
    else invites.delete(invite.id);
    if (invites.size > 0) this.onAir.set(stageId, invites);
    else this.onAir.delete(stageId);
  }

  /** The invites on air on the stage, as speakers not connected: the stage marks those who are. */
  onAirSpeakers(stageId: string): StageSpeaker[] {
    return [...(this.onAir.get(stageId)?.values() ?? [])].map((invite) => absentSpeaker(invite, 'on-air'));
  }
}

/** A speaker nobody is connected as. */
export function absentSpeaker(invite: SpeakerInviteRef, placement: SpeakerPlacement): StageSpeaker {
  return { inviteId: invite.id, label: invite.label, placement, connected: false, producers: [] };
}
