/**
 * WHIP sessions (RFC 9725): an encoder's offer becomes a peer on the stage with a WebRTC send
 * transport and one producer per accepted track, on air as a speaker's are. One session per
 * ingest point: a new offer (OBS reconnecting after a crash) replaces the old session, and a
 * session whose media stopped long ago (an encoder gone without DELETE) ends by itself.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Peer } from '../domain/peer.js';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import { AppError } from '../errors.js';
import type { FeedSwitch } from './feedSwitch.js';
import { parseSdpProfileLevelId, Profile } from 'h264-profile-level-id';
import type { IngestFeedRole, IngestPreflight } from '../../shared/protocol.js';
import { RtpPreflightMeter } from './rtpPreflight.js';
import { type OfferedTrack, readWhipOffer, writeWhipAnswer } from './whipSdp.js';

export interface WhipSessionStarted {
  sessionId: string;
  answer: string;
}

interface WhipSession {
  id: string;
  ingestPointId: string;
  stage: Stage;
  peer: Peer;
  bytes: number;
  /** When its media last grew (its start, before any arrived). */
  flowingAt: number;
  /** The pre-flight check of its video, measured over its first seconds. */
  preflight: RtpPreflightMeter | undefined;
  /** Ends the copy of its video's RTP the check reads, while it does. */
  stopChecking: (() => void) | undefined;
}

/**
 * A session without media this long has lost its encoder (closed without DELETE, crashed, cut
 * off): it ends, and the stage goes off air. Long enough for a network hiccup; the backup feed,
 * if there is one, took over after a second anyway.
 */
export const WHIP_SILENCE_LIMIT_MS = 15_000;
const SILENCE_CHECK_MS = 1_000;
/** Two checks: media that grew at neither has stopped. */
const RECEIVING_WITHIN_MS = 2 * SILENCE_CHECK_MS + 500;

export class WhipSessions {
  /** By ingest point id. */
  private readonly sessions = new Map<string, WhipSession>();
  private readonly logger: Logger;
  private readonly silenceCheck: NodeJS.Timeout;

  constructor(
    private readonly registry: StageRegistry,
    private readonly feeds: FeedSwitch,
    /** Above this video bitrate the pre-flight check warns. */
    private readonly maxBitrateKbps: number,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ingest', protocol: 'whip' });
    this.silenceCheck = setInterval(() => void this.endSilentSessions(), SILENCE_CHECK_MS);
    this.silenceCheck.unref();
  }

  /** Answers the offer and puts its media on the stage; bad offers are refused before anything goes on air. */
  async start(ingestPointId: string, stageId: string, role: IngestFeedRole, offerSdp: string, clientAddress: string): Promise<WhipSessionStarted> {
    const stage = this.registry.open(stageId);
    const peer = new Peer('ingest', `whip:${ingestPointId}`, clientAddress);
    const session: WhipSession = {
      id: randomUUID(),
      ingestPointId,
      stage,
      peer,
      bytes: 0,
      flowingAt: Date.now(),
      preflight: undefined,
      stopChecking: undefined,
    };
    try {
      const { routerRtpCapabilities } = await stage.join(peer);
      const offer = readWhipOffer(offerSdp, routerRtpCapabilities);
      await this.end(ingestPointId, 'replaced by a new offer');
      this.sessions.set(ingestPointId, session);
      this.feeds.attach(stage, peer, role);
      const transport = await stage.createTransport(peer, { direction: 'send' });
      await stage.connectTransport(peer, transport.id, offer.dtlsParameters);
      for (const track of offer.tracks) {
        const producerId = await stage.produce(peer, {
          transportId: transport.id,
          kind: track.kind,
          source: track.kind === 'audio' ? 'microphone' : 'camera',
          rtpParameters: track.rtpParameters,
        });
        if (track.kind === 'video') await this.startPreflight(session, producerId, track);
      }
      this.logger.info(
        { ingestPoint: ingestPointId, stage: stageId, session: session.id, tracks: offer.tracks.map((track) => track.kind) },
        'WHIP session on air',
      );
      return { sessionId: session.id, answer: writeWhipAnswer(offer, transport, String(Date.now())) };
    } catch (error) {
      if (this.sessions.get(ingestPointId) === session) this.sessions.delete(ingestPointId);
      await this.leave(session);
      throw error;
    }
  }

  /** Whether the point's session has media coming in (its byte count grew at the last check or the one before). */
  receiving(ingestPointId: string): boolean {
    const session = this.sessions.get(ingestPointId);
    return session !== undefined && session.bytes > 0 && Date.now() - session.flowingAt < RECEIVING_WITHIN_MS;
  }

  /** The pre-flight check of the point's session; null before its video arrived or without a session. */
  preflight(ingestPointId: string): IngestPreflight | null {
    return this.sessions.get(ingestPointId)?.preflight?.result() ?? null;
  }

  /** Whether the point's session's media is on air now (not waiting on standby as a backup). */
  onAir(ingestPointId: string): boolean {
    const session = this.sessions.get(ingestPointId);
    return session !== undefined && session.stage.hasOnAir(session.peer);
  }

  /** The technicians made the point a main or backup feed: its session goes on, on its new side. */
  changeRole(ingestPointId: string, role: IngestFeedRole): void {
    const session = this.sessions.get(ingestPointId);
    if (session) this.feeds.changeRole(session.stage, session.peer, role);
  }

  /** DELETE on the session's resource: the stage goes off air. */
  async stop(ingestPointId: string, sessionId: string): Promise<void> {
    if (this.sessions.get(ingestPointId)?.id !== sessionId) {
      throw new AppError('not_found', `There is no WHIP session "${sessionId}" on this ingest point (it ended or was replaced).`);
    }
    await this.end(ingestPointId, 'ended by the encoder');
  }

  /**
   * Ends the point's session, if it has one (its secret was rotated, it was revoked, shutdown, the
   * encoder's DELETE): on purpose unless `deliberate` says otherwise.
   */
  async end(ingestPointId: string, reason: string, { deliberate = true }: { deliberate?: boolean } = {}): Promise<void> {
    const session = this.sessions.get(ingestPointId);
    if (!session) return;
    this.sessions.delete(ingestPointId);
    await this.leave(session, { deliberate });
    this.logger.info({ ingestPoint: ingestPointId, session: session.id, reason }, 'WHIP session ended');
  }

  async close(): Promise<void> {
    clearInterval(this.silenceCheck);
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id, 'server stopping')));
  }

  private async endSilentSessions(): Promise<void> {
    const now = Date.now();
    for (const session of [...this.sessions.values()]) {
      const bytes = await session.stage.receivedBytes(session.peer).catch(() => session.bytes);
      if (bytes > session.bytes) [session.bytes, session.flowingAt] = [bytes, now];
      if (now - session.flowingAt >= WHIP_SILENCE_LIMIT_MS && this.sessions.get(session.ingestPointId) === session) {
        // Not on purpose: the encoder went silent (a network drop), which the control room hears of as a feed lost.
        await this.end(session.ingestPointId, `no media for ${WHIP_SILENCE_LIMIT_MS / 1000} s`, { deliberate: false });
      }
    }
  }

  /** Reads the video's first seconds as they arrive, then lets the copy go. */
  private async startPreflight(session: WhipSession, producerId: string, track: OfferedTrack): Promise<void> {
    const { codec } = track;
    const meter = new RtpPreflightMeter(codec.mimeType.split('/')[1]!.toLowerCase(), negotiatedProfile(codec), codec.clockRate, this.maxBitrateKbps);
    let stopChecking: () => void;
    try {
      stopChecking = await session.stage.copyRtp(session.peer, producerId, (packet) => {
        meter.packet(packet);
        if (meter.complete) session.stopChecking?.();
      });
    } catch (error) {
      // The session goes on air all the same; only its check is missing.
      this.logger.warn({ err: error, ingestPoint: session.ingestPointId }, 'cannot read the WHIP video for its pre-flight check');
      return;
    }
    session.preflight = meter;
    session.stopChecking = () => {
      session.stopChecking = undefined;
      stopChecking();
    };
  }

  private async leave(session: WhipSession, options: { deliberate?: boolean } = {}): Promise<void> {
    session.stopChecking?.();
    const { stage, peer } = session;
    this.feeds.detach(stage, peer);
    await stage.leave(peer, options);
    await this.registry.closeIfEmpty(stage);
  }
}

const PROFILE_NAMES: Record<Profile, string> = {
  [Profile.ConstrainedBaseline]: 'Constrained Baseline',
  [Profile.Baseline]: 'Baseline',
  [Profile.Main]: 'Main',
  [Profile.ConstrainedHigh]: 'Constrained High',
  [Profile.High]: 'High',
  [Profile.PredictiveHigh444]: 'High 4:4:4 Predictive',
};

/** The H.264 profile the SDP negotiated (what the encoder sends may differ: OBS always offers 42e01f); null for other codecs. */
function negotiatedProfile(codec: OfferedTrack['codec']): string | null {
  if (codec.mimeType.toLowerCase() !== 'video/h264') return null;
  const profile = parseSdpProfileLevelId(codec.parameters)?.profile;
  return profile === undefined ? null : PROFILE_NAMES[profile];
}
