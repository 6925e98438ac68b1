/**
 * The ingest points of all stages: their ports and secrets, a listener for each active SRT or
 * RTMP point, and the WHIP sessions (which come in on the HTTP port at /whip/<id>). Technicians
 * create, rotate and revoke them through the API.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { IngestFeedRole, IngestPointInfo, IngestProtocol } from '../../shared/protocol.js';
import type { IngestKeys } from '../auth/ingestKeys.js';
import type { PortRange } from '../config/env.js';
import type { Ffmpeg } from '../config/ffmpeg.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { AlertCenter } from '../health/alertCenter.js';
import { AppError } from '../errors.js';
import {
  changeIngestPoint,
  createIngestPoint,
  getIngestPoint,
  type IngestPoint,
  ingestPortsInUse,
  listActiveIngestPoints,
  listIngestPoints,
  revokeIngestPoint,
  rotateIngestPoint,
} from '../storage/ingestPoints.js';
import { encoderUrl } from './encoderSettings.js';
import { type FeedChoice, type FeedState, FeedSwitch } from './feedSwitch.js';
import { IngestListener } from './ingestListener.js';
import { type WhipSessionStarted, WhipSessions } from './whipSessions.js';

export interface IngestPointsOptions {
  db: Database;
  keys: IngestKeys;
  registry: StageRegistry;
  srtPorts: PortRange;
  rtmpPorts: PortRange;
  listenIp: string;
  maxBitrateKbps: number;
  ffmpeg: Ffmpeg;
  /** Where each switch between a stage's main and backup feeds is raised. */
  alerts: AlertCenter;
  logger: Logger;
}

const portSettings = { srt: 'INGEST_SRT_PORTS', rtmp: 'INGEST_RTMP_PORTS' } as const;

export class IngestPoints {
  private readonly listeners = new Map<string, IngestListener>();
  private readonly whip: WhipSessions;
  private readonly feeds: FeedSwitch;

  constructor(private readonly options: IngestPointsOptions) {
    this.feeds = new FeedSwitch(options.alerts);
    this.whip = new WhipSessions(options.registry, this.feeds, options.maxBitrateKbps, options.logger);
  }

  /** Listens for every active point, as they were before a restart. */
  start(): void {
    for (const point of listActiveIngestPoints(this.options.db)) this.listen(point);
  }

  create(stageId: string, protocol: IngestProtocol, label: string | undefined, role: IngestFeedRole = 'main'): IngestPoint {
    const port = protocol === 'whip' ? null : this.freePort(protocol);
    const point = createIngestPoint(this.options.db, { stageId, protocol, label, role, port });
    this.listen(point);
    return point;
  }

  list(stageId: string): IngestPoint[] {
    return listIngestPoints(this.options.db, stageId);
  }

  /** A new secret: the old one stops working, and an encoder sending with it is cut off. */
  async rotate(id: string): Promise<IngestPoint> {
    const point = rotateIngestPoint(this.options.db, id);
    if (!point) throw new AppError('not_found', `There is no active ingest point "${id}".`);
    await this.stopListening(id);
    await this.whip.end(id, 'secret rotated');
    this.listen(point);
    return point;
  }

  /** A new label or role: an encoder sending to the point stays connected and moves to its new side (main or backup). */
  change(id: string, changes: { label?: string; role?: IngestFeedRole }): IngestPoint {
    const point = changeIngestPoint(this.options.db, id, changes);
    if (!point) throw new AppError('not_found', `There is no active ingest point "${id}".`);
    if (changes.role !== undefined) {
      this.listeners.get(id)?.changeRole(changes.role);
      this.whip.changeRole(id, changes.role);
    }
    return point;
  }

  async revoke(id: string): Promise<void> {
    if (!revokeIngestPoint(this.options.db, id)) throw new AppError('not_found', `There is no active ingest point "${id}".`);
    await this.stopListening(id);
    await this.whip.end(id, 'ingest point revoked');
  }

  /** A WHIP offer (POST /whip/<id>) with its bearer token; refused before anything else when the token is wrong. */
  async startWhip(id: string, bearerToken: string | undefined, offerSdp: string, clientAddress: string): Promise<WhipSessionStarted> {
    const point = this.activeWhipPoint(id, bearerToken);
    return this.whip.start(point.id, point.stageId, point.role, offerSdp, clientAddress);
  }

  /** DELETE on a WHIP session's resource, with the point's bearer token. */
  async stopWhip(id: string, sessionId: string, bearerToken: string | undefined): Promise<void> {
    await this.whip.stop(this.activeWhipPoint(id, bearerToken).id, sessionId);
  }

  get(id: string): IngestPoint | undefined {
    return getIngestPoint(this.options.db, id);
  }

  /**
   * What a technician pastes into the encoder; `host` is the server's name as their browser reached
   * it, `httpOrigin` the scheme, name and port (the WHIP URL is on the HTTP port).
   */
  info(point: IngestPoint, host: string, httpOrigin: string): IngestPointInfo {
    const { id, stageId, protocol, label, role, port, createdAt, rotatedAt, revokedAt } = point;
    const secret = this.options.keys.ingestPointSecret(id, point.generation);
    const streamId = protocol === 'srt' ? id : null;
    const listener = this.listeners.get(id);
    const preflight = listener ? listener.preflight() : this.whip.preflight(id);
    return {
      id,
      stageId,
      protocol,
      label,
      role,
      port,
      url: encoderUrl(point, host, httpOrigin, secret),
      secret,
      streamId,
      preflight,
      receiving: listener?.receiving ?? this.whip.receiving(id),
      onAir: listener?.onAir ?? this.whip.onAir(id),
      createdAt,
      rotatedAt,
      revokedAt,
    };
  }

  /** Which of the stage's feeds is on air, and the technician's choice. */
  feedState(stageId: string): FeedState {
    return this.feeds.state(stageId);
  }

  /** A technician pins the main or the backup feed on air, or lets them switch by themselves again. */
  chooseFeed(stageId: string, choice: FeedChoice): FeedState {
    return this.feeds.choose(this.options.registry.open(stageId), choice);
  }

  /** Feed switches per stage so far, for /metrics. */
  feedSwitchCounts(): ReturnType<FeedSwitch['switchCounts']> {
    return this.feeds.switchCounts();
  }

  /** Shutdown begins: a listener whose ffmpeg ends (the whole process group got Ctrl+C) stays down. */
  beginClosing(): void {
    for (const listener of this.listeners.values()) listener.stopRelistening();
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.keys()].map((id) => this.stopListening(id)));
    await this.whip.close();
    this.feeds.close();
  }

  private activeWhipPoint(id: string, bearerToken: string | undefined): IngestPoint {
    const point = getIngestPoint(this.options.db, id);
    if (!point || point.revokedAt !== null || point.protocol !== 'whip') {
      throw new AppError('not_found', `There is no active WHIP ingest point "${id}"; ask the technicians for the WHIP URL of your stage.`);
    }
    if (bearerToken === undefined || !sameSecret(bearerToken, this.options.keys.ingestPointSecret(point.id, point.generation))) {
      throw new AppError(
        'unauthorized',
        'The bearer token is missing or wrong (it changes when the technicians rotate it): send "Authorization: Bearer <token>" with the current token.',
      );
    }
    return point;
  }

  private freePort(protocol: 'srt' | 'rtmp'): number {
    const { first, last } = protocol === 'srt' ? this.options.srtPorts : this.options.rtmpPorts;
    const taken = ingestPortsInUse(this.options.db);
    for (let port = first; port <= last; port++) if (!taken.has(port)) return port;
    throw new AppError(
      'conflict',
      `Every port of ${portSettings[protocol]} (${first}-${last}) is held by an ingest point: revoke one, or widen ${portSettings[protocol]}.`,
    );
  }

  private listen(point: IngestPoint): void {
    if (point.protocol === 'whip' || point.port === null) return;
    const { registry, listenIp, ffmpeg, maxBitrateKbps, logger } = this.options;
    const listener = new IngestListener(
      {
        ingestPointId: point.id,
        stageId: point.stageId,
        protocol: point.protocol,
        role: point.role,
        listenIp,
        port: point.port,
        secret: this.options.keys.ingestPointSecret(point.id, point.generation),
        streamId: point.id,
        ffmpeg,
        maxBitrateKbps,
      },
      registry,
      this.feeds,
      logger,
    );
    this.listeners.set(point.id, listener);
    listener.start();
  }

  private async stopListening(id: string): Promise<void> {
    const listener = this.listeners.get(id);
    this.listeners.delete(id);
    await listener?.stop();
  }
}

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}
