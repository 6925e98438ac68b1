/**
 * WHIP sessions (RFC 9725): an encoder's offer becomes a peer on the stage with a WebRTC send
 * transport and one producer per accepted track, on air as a speaker's are. One session per
 * ingest point: a new offer (OBS reconnecting after a crash) replaces the old session.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Peer } from '../domain/peer.js';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import { AppError } from '../errors.js';
import { readWhipOffer, writeWhipAnswer } from './whipSdp.js';

export interface WhipSessionStarted {
  sessionId: string;
  answer: string;
}

interface WhipSession {
  id: string;
  ingestPointId: string;
  stage: Stage;
  peer: Peer;
}

export class WhipSessions {
  /** By ingest point id. */
  private readonly sessions = new Map<string, WhipSession>();
  private readonly logger: Logger;

  constructor(
    private readonly registry: StageRegistry,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ingest', protocol: 'whip' });
  }

  /** Answers the offer and puts its media on the stage; bad offers are refused before anything goes on air. */
  async start(ingestPointId: string, stageId: string, offerSdp: string, clientAddress: string): Promise<WhipSessionStarted> {
    const stage = this.registry.open(stageId);
    const peer = new Peer('ingest', `whip:${ingestPointId}`, clientAddress);
    const session: WhipSession = { id: randomUUID(), ingestPointId, stage, peer };
    try {
      const { routerRtpCapabilities } = await stage.join(peer);
      const offer = readWhipOffer(offerSdp, routerRtpCapabilities);
      await this.end(ingestPointId, 'replaced by a new offer');
      this.sessions.set(ingestPointId, session);
      const transport = await stage.createTransport(peer, { direction: 'send' });
      await stage.connectTransport(peer, transport.id, offer.dtlsParameters);
      for (const track of offer.tracks) {
        await stage.produce(peer, {
          transportId: transport.id,
          kind: track.kind,
          source: track.kind === 'audio' ? 'microphone' : 'camera',
          rtpParameters: track.rtpParameters,
        });
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

  /** DELETE on the session's resource: the stage goes off air. */
  async stop(ingestPointId: string, sessionId: string): Promise<void> {
    if (this.sessions.get(ingestPointId)?.id !== sessionId) {
      throw new AppError('not_found', `There is no WHIP session "${sessionId}" on this ingest point (it ended or was replaced).`);
    }
    await this.end(ingestPointId, 'ended by the encoder');
  }

  /** Ends the point's session, if it has one (its secret was rotated, it was revoked, shutdown). */
  async end(ingestPointId: string, reason: string): Promise<void> {
    const session = this.sessions.get(ingestPointId);
    if (!session) return;
    this.sessions.delete(ingestPointId);
    await this.leave(session);
    this.logger.info({ ingestPoint: ingestPointId, session: session.id, reason }, 'WHIP session ended');
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id, 'server stopping')));
  }

  private async leave({ stage, peer }: WhipSession): Promise<void> {
    await stage.leave(peer);
    await this.registry.closeIfEmpty(stage);
  }
}
