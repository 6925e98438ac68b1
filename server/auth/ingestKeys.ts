import { SigningKey } from './signingKey.js';

const SECRET_FILE = 'ingest.key';

/**
 * The credential a plain-RTP source (the demo source, a technician's encoder bridge) presents to
 * put media on air on one stage: the stage's name signed with a key in the data directory. Not
 * stored, the same after a restart, and useless on any other stage.
 */
export class IngestKeys {
  private constructor(private readonly key: SigningKey) {}

  static fromDataDir(dataDir: string): IngestKeys {
    return new IngestKeys(SigningKey.fromDataDir(dataDir, SECRET_FILE));
  }

  keyFor(stageId: string): string {
    return this.key.sign(`ingest:${stageId}`);
  }

  opens(ingestKey: string, stageId: string): boolean {
    return this.key.verify(`ingest:${stageId}`, ingestKey);
  }

  /**
   * The secret of one generation of an ingest point (RTMP stream key, SRT passphrase, WHIP token):
   * ffmpeg must be told it, so it is derived rather than stored as a hash; rotating bumps the generation.
   */
  ingestPointSecret(ingestPointId: string, generation: number): string {
    return this.key.sign(`ingest-point:${ingestPointId}:${generation}`);
  }
}
