import type { Database } from 'better-sqlite3';
import type { PeerRole } from '../../shared/protocol.js';
import { AppError } from '../errors.js';
import { getEvent } from '../storage/events.js';
import { findValidSpeakerInvite } from '../storage/invites.js';
import { findRegistrationByToken } from '../storage/registrations.js';
import { getStage, type Stage as StageRecord } from '../storage/stages.js';
import { findTechnicianBySessionToken, type Technician } from '../storage/technicians.js';
import type { ViewerPasses } from './viewerPasses.js';

/** What a client presented: a technician's session cookie, a speaker invite, a viewer token. */
export interface Credentials {
  sessionToken?: string | undefined;
  invite?: string | undefined;
  access?: string | undefined;
}

/**
 * Who may do what, decided on the server for every HTTP route and socket join: technicians do
 * everything; a speaker invite opens publishing on its one stage; viewers of a public event need
 * nothing, of a private one a registration link or a pass from the access code. Viewers never
 * publish. Checks read the database each time, so a revoked invite or a logout takes effect at once.
 */
export class AccessPolicy {
  constructor(
    private readonly db: Database,
    private readonly passes: ViewerPasses,
  ) {}

  technician(credentials: Credentials): Technician | undefined {
    return credentials.sessionToken ? findTechnicianBySessionToken(this.db, credentials.sessionToken) : undefined;
  }

  /** The stage, when these credentials may join it in this role; otherwise a clear refusal. */
  authorizeJoin(credentials: Credentials, stageId: string, role: PeerRole): StageRecord {
    const stage = this.existingStage(stageId);
    if (role === 'speaker') this.requireSpeaker(credentials, stageId);
    else if (!this.canWatch(credentials, stage)) {
      throw new AppError(
        'forbidden',
        'This event is private: open your personal link from the registration, or enter the access code.',
      );
    }
    return stage;
  }

  /** Whether these credentials may watch an existing stage (false for unknown stages too). */
  mayWatch(credentials: Credentials, stageId: string): boolean {
    const stage = getStage(this.db, stageId);
    return stage !== undefined && this.canWatch(credentials, stage);
  }

  existingStage(stageId: string): StageRecord {
    const stage = getStage(this.db, stageId);
    if (!stage) throw new AppError('not_found', `There is no stage "${stageId}"; check the link.`);
    return stage;
  }

  requireSpeaker(credentials: Credentials, stageId: string): void {
    if (this.technician(credentials)) return;
    if (!credentials.invite) {
      throw new AppError('forbidden', `Speaking on stage "${stageId}" needs a speaker invite link (or a technician sign-in).`);
    }
    const invite = findValidSpeakerInvite(this.db, credentials.invite);
    if (!invite) throw new AppError('forbidden', 'This speaker invite has expired or was revoked; ask the technicians for a new link.');
    if (invite.stageId !== stageId) throw new AppError('forbidden', `This speaker invite is for stage "${invite.stageId}", not "${stageId}".`);
  }

  private canWatch(credentials: Credentials, stage: StageRecord): boolean {
    const event = getEvent(this.db, stage.eventId);
    if (event?.visibility === 'public') return true;
    if (this.technician(credentials)) return true;
    if (credentials.invite && findValidSpeakerInvite(this.db, credentials.invite)?.stageId === stage.id) return true;
    if (!credentials.access) return false;
    if (this.passes.verify(credentials.access) === stage.eventId) return true;
    return findRegistrationByToken(this.db, credentials.access)?.eventId === stage.eventId;
  }
}
