/**
 * A speaker's track published as a local source would: `ingest:open` on the signalling socket and
 * an ffmpeg sending a test pattern there. Closing it is the speaker stopping (say, a screen share):
 * the socket goes, and with it the producer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { IngestTrackTarget, MediaSource } from '../../shared/protocol.js';
import { IngestKeys } from '../../server/auth/ingestKeys.js';
import { testPatternFfmpegArgs } from '../../server/ingest/testPattern.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { TEST_FFMPEG } from '../helpers/mediaTools.js';

export class PlainRtpSpeaker {
  private constructor(
    private readonly socket: RawSocket,
    private readonly ffmpeg: ChildProcess,
  ) {}

  /** `dataDir` is the server's: the stage's ingest key is signed with the key kept there. */
  static async publish(url: string, dataDir: string, stageId: string, source: MediaSource): Promise<PlainRtpSpeaker> {
    const socket = await connect(url, { ingest: IngestKeys.fromDataDir(dataDir).keyFor(stageId) });
    const response = await request<{ tracks: IngestTrackTarget[] }>(socket, 'ingest:open', { stageId, tracks: [{ source, codec: 'H264' }] });
    if (!response.ok) {
      socket.disconnect();
      throw new Error(`ingest:open refused: ${response.error.code}: ${response.error.message}`);
    }
    const ffmpeg = spawn(TEST_FFMPEG, testPatternFfmpegArgs(response.data.tracks), { stdio: 'ignore' });
    return new PlainRtpSpeaker(socket, ffmpeg);
  }

  /** Stops sending but stays on the stage, as an encoder that died behind a connection still open does. */
  stopSending(): void {
    this.ffmpeg.kill('SIGKILL');
  }

  /** Stops sending and leaves the stage, as a speaker ending a share does. */
  stop(): void {
    this.ffmpeg.kill('SIGKILL');
    this.socket.disconnect();
  }

  /** Says it leaves (`stage:leave`, as the speak page's Stop does), then stops: an end on purpose. */
  async leave(): Promise<void> {
    const answer = await request(this.socket, 'stage:leave', {});
    if (!answer.ok) throw new Error(`stage:leave refused: ${answer.error.code}: ${answer.error.message}`);
    this.stop();
  }
}
