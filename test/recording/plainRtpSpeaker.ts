/**
 * A speaker's track published as a local source would: `ingest:open` on the signalling socket and
 * an ffmpeg sending a test pattern, or a tone, there. Closing it is the speaker stopping (say, a
 * screen share, or a microphone closed): the socket goes, and with it the producer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { IngestTrackTarget, MediaSource } from '../../shared/protocol.js';
import { IngestKeys } from '../../server/auth/ingestKeys.js';
import { defaultTestPattern, testPatternFfmpegArgs } from '../../server/ingest/testPattern.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { TEST_FFMPEG } from '../helpers/mediaTools.js';

export class PlainRtpSpeaker {
  private constructor(
    private readonly socket: RawSocket,
    private readonly ffmpeg: ChildProcess,
  ) {}

  /** A video track of that source. `dataDir` is the server's: the stage's ingest key is signed with the key kept there. */
  static async publish(url: string, dataDir: string, stageId: string, source: MediaSource): Promise<PlainRtpSpeaker> {
    const { socket, target } = await openIngest(url, dataDir, stageId, source, 'H264');
    return new PlainRtpSpeaker(socket, spawn(TEST_FFMPEG, testPatternFfmpegArgs([target]), { stdio: 'ignore' }));
  }

  /** An open microphone that sends a tone of that pitch (Opus, as browsers send). */
  static async publishTone(url: string, dataDir: string, stageId: string, toneHz: number): Promise<PlainRtpSpeaker> {
    const { socket, target } = await openIngest(url, dataDir, stageId, 'microphone', 'opus');
    const args = testPatternFfmpegArgs([target], { ...defaultTestPattern, toneHz });
    return new PlainRtpSpeaker(socket, spawn(TEST_FFMPEG, args, { stdio: 'ignore' }));
  }

  /** Stops sending but stays on the stage, as an encoder that died behind a connection still open does. */
  stopSending(): void {
    this.ffmpeg.kill('SIGKILL');
  }

  /** Sends nothing for a while, staying on air: the speaker's network drops. */
  pause(): void {
    this.ffmpeg.kill('SIGSTOP');
  }

  /** Sends again after pause(), the backlog first (ffmpeg catches up with the time it lost). */
  resume(): void {
    this.ffmpeg.kill('SIGCONT');
  }

  /** Stops sending and leaves the stage, as a speaker ending a share does. */
  stop(): void {
    this.ffmpeg.kill('SIGCONT');
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

async function openIngest(
  url: string,
  dataDir: string,
  stageId: string,
  source: MediaSource,
  codec: IngestTrackTarget['codec'],
): Promise<{ socket: RawSocket; target: IngestTrackTarget }> {
  const socket = await connect(url, { ingest: IngestKeys.fromDataDir(dataDir).keyFor(stageId) });
  const response = await request<{ tracks: IngestTrackTarget[] }>(socket, 'ingest:open', { stageId, tracks: [{ source, codec }] });
  if (!response.ok) {
    socket.disconnect();
    throw new Error(`ingest:open refused: ${response.error.code}: ${response.error.message}`);
  }
  return { socket, target: response.data.tracks[0]! };
}
