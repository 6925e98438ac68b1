import type { Database } from 'better-sqlite3';
import type { PeerRole } from '../../shared/protocol.js';
import { AppError } from '../errors.js';
import { getEvent } from '../storage/events.js';
import type { SpeakerInviteRef } from '../domain/peer.js';
import { findSpeakerInvite, findValidInvite, findValidSpeakerInvite, revokeSpeakerInvite, type SpeakerInvite } from '../storage/invites.js';
import { findRegistrationByToken } from '../storage/registrations.js';
import { getStage, type Stage as StageRecord } from '../storage/stages.js';
import { findTechnicianBySessionToken, type Technician } from '../storage/technicians.js';
import type { IngestKeys } from './ingestKeys.js';
import type { ViewerPasses } from './viewerPasses.js';

/** What a client presented: a technician's session cookie, a speaker invite, a viewer token, an ingest key. */
export interface Credentials {
  sessionToken?: string | undefined;
  invite?: string | undefined;
  access?: string | undefined;
  ingest?: string | undefined;
}

/**
 * Who may do what, decided on the server for every HTTP route and socket join: technicians do
 * everything; a speaker invite opens publishing on its one stage, a moderator invite moderating
 * its one stage's questions and polls (nothing else); viewers of a public event need
 * nothing, of a private one a registration link or a pass from the access code. Viewers never
 * publish; a plain-RTP source needs its stage's ingest key. Checks read the database each time, so a revoked invite or a logout takes effect at once.
 */
export class AccessPolicy {
  private readonly revocationListeners: ((inviteId: string) => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly passes: ViewerPasses,
    private readonly ingestKeys: IngestKeys,
  ) {}

  technician(credentials: Credentials): Technician | undefined {
    return credentials.sessionToken ? findTechnicianBySessionToken(this.db, credentials.sessionToken) : undefined;
  }

  /**
   * The stage, when these credentials may join it in this role (with the invite a speaker joins
   * with, none for a technician); otherwise a clear refusal. Only technicians monitor.
   */
  authorizeJoin(credentials: Credentials, stageId: string, role: PeerRole): StageRecord & { invite?: SpeakerInviteRef | undefined } {
    const stage = this.existingStage(stageId);
    if (role === 'speaker') return { ...stage, invite: this.speakerInvite(credentials, stageId) };
    if (role === 'monitor') {
      if (!this.technician(credentials)) throw new AppError('forbidden', 'Monitoring a stage (its backstage too) needs a technician sign-in.');
      return stage;
    }
    if (!this.canWatch(credentials, stage)) {
      throw new AppError(
        'forbidden',
        'This event is private: open your personal link from the registration, or enter the access code. Registered before and lost the link? Ask the organisers for a new one.',
      );
    }
    return stage;
  }

  /** Whether these credentials may watch an existing stage (false for unknown stages too). */
  mayWatch(credentials: Credentials, stageId: string): boolean {
    const stage = getStage(this.db, stageId);
    return stage !== undefined && this.canWatch(credentials, stage);
  }

  /** Whether a viewer token (registration token or access-code pass) opens some event now. */
  accessOpensAnEvent(access: string): boolean {
    return this.passes.verify(access) !== undefined || findRegistrationByToken(this.db, access) !== undefined;
  }

  /** Whether the stage belongs to an event that is not public: its media must never sit in shared caches. */
  isPrivateStage(stageId: string): boolean {
    const stage = getStage(this.db, stageId);
    return stage === undefined || getEvent(this.db, stage.eventId)?.visibility !== 'public';
  }

  existingStage(stageId: string): StageRecord {
    const stage = getStage(this.db, stageId);
    if (!stage) throw new AppError('not_found', `There is no stage "${stageId}"; check the link.`);
    return stage;
  }

  /**
   * Passes for a technician (undefined) or the holder of a valid invite for the stage (its id).
   * A bad invite is refused with a code saying what is wrong with it, for the speak page to word.
   */
  requireSpeaker(credentials: Credentials, stageId: string, now = new Date()): string | undefined {
    return this.speakerInvite(credentials, stageId, now)?.id;
  }

  private speakerInvite(credentials: Credentials, stageId: string, now = new Date()): SpeakerInviteRef | undefined {
    if (this.technician(credentials)) return undefined;
    if (!credentials.invite) {
      throw new AppError('forbidden', `Speaking on stage "${stageId}" needs a speaker invite link (or a technician sign-in).`);
    }
    const invite = findSpeakerInvite(this.db, credentials.invite);
    if (!invite && findValidInvite(this.db, credentials.invite, 'moderator')) {
      throw new AppError('forbidden', 'This is a moderator link: it opens moderation, not going on air; ask the technicians for a speaker invite.');
    }
    if (!invite) {
      throw new AppError(
        'invite_invalid',
        'This speaker invite link is not valid (cut short, mistyped or from another server); ask the technicians for a new link.',
      );
    }
    if (invite.revokedAt !== null) throw new AppError('invite_revoked', 'The technicians revoked this speaker invite; ask them for a new link.');
    if (Date.parse(invite.expiresAt) <= now.getTime()) {
      throw new AppError('invite_expired', `This speaker invite expired at ${invite.expiresAt}; ask the technicians for a new link.`);
    }
    if (invite.stageId !== stageId) {
      throw new AppError('invite_wrong_stage', `This speaker invite is for stage "${invite.stageId}", not "${stageId}"; open the link as you received it.`);
    }
    return { id: invite.id, label: invite.label };
  }

  /**
   * Passes for a technician or the holder of a valid moderator invite for the stage (returned, so
   * that what they do can be attributed); otherwise a refusal saying what is needed.
   */
  requireModerator(credentials: Credentials, stageId: string): { technician: Technician } | { invite: SpeakerInvite } {
    const technician = this.technician(credentials);
    if (technician) return { technician };
    if (!credentials.invite) {
      throw new AppError('unauthorized', `Moderating stage "${stageId}" needs a moderator link or a technician sign-in (POST /api/auth/login).`);
    }
    const invite = findValidInvite(this.db, credentials.invite, 'moderator');
    if (!invite)
      throw new AppError('forbidden', 'This moderator link has expired or was revoked, or is not a moderator link; ask the technicians for a new one.');
    if (invite.stageId !== stageId) throw new AppError('forbidden', `This moderator link is for stage "${invite.stageId}", not "${stageId}".`);
    return { invite };
  }

  /** Revokes an invite and tells whoever uses it (signalling takes a speaker off air, a moderator out of moderation). */
  revokeInvite(inviteId: string): boolean {
    if (!revokeSpeakerInvite(this.db, inviteId)) return false;
    for (const listener of this.revocationListeners) listener(inviteId);
    return true;
  }

  onInviteRevoked(listener: (inviteId: string) => void): void {
    this.revocationListeners.push(listener);
  }

  /**
   * Plain-RTP ingest puts media on air without a browser: it needs the stage's ingest key (or a
   * technician's session), whatever address it comes from. Where ingest points with their own
   * secrets (WHIP, SRT, RTMP) come in, their check belongs here too.
   */
  requireIngest(credentials: Credentials, stageId: string): StageRecord {
    const stage = this.existingStage(stageId);
    if (this.technician(credentials)) return stage;
    if (!credentials.ingest || !this.ingestKeys.opens(credentials.ingest, stageId)) {
      throw new AppError(
        'forbidden',
        `Ingest on stage "${stageId}" needs that stage's ingest key (technicians get it from GET /api/stages/${stageId}/ingest-key).`,
      );
    }
    return stage;
  }

  /** The key an ingest source presents for the stage; technicians hand it to their encoders. */
  ingestKeyFor(stageId: string): string {
    return this.ingestKeys.keyFor(this.existingStage(stageId).id);
  }

  /** The current secret of an ingest point (stream key, passphrase, bearer token), for the encoder settings. */
  ingestPointSecret(point: { id: string; generation: number }): string {
    return this.ingestKeys.ingestPointSecret(point.id, point.generation);
  }

  /** The registration these credentials carry for the stage's event, if any: an attendee's identity on private events. */
  registrationFor(credentials: Credentials, stageId: string): string | undefined {
    const registration = credentials.access ? findRegistrationByToken(this.db, credentials.access) : undefined;
    return registration && registration.eventId === getStage(this.db, stageId)?.eventId ? registration.id : undefined;
  }

  /** A speaker's or moderator's link lets its holder watch their stage too. */
  private inviteOpens(token: string, stageId: string): boolean {
    return (findValidSpeakerInvite(this.db, token) ?? findValidInvite(this.db, token, 'moderator'))?.stageId === stageId;
  }

  private canWatch(credentials: Credentials, stage: StageRecord): boolean {
    const event = getEvent(this.db, stage.eventId);
    if (event?.visibility === 'public') return true;
    if (this.technician(credentials)) return true;
    if (credentials.invite && this.inviteOpens(credentials.invite, stage.id)) return true;
    if (!credentials.access) return false;
    if (this.passes.verify(credentials.access) === stage.eventId) return true;
    return findRegistrationByToken(this.db, credentials.access)?.eventId === stage.eventId;
  }
}
