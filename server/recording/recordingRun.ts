/**
 * One ffmpeg run of a recording: a tap of the selected producers, sent as plain RTP (through one
 * TrackRelay per track) to an ffmpeg that writes its own HLS playlist and segments into the
 * recording's folder. A recording is a sequence of runs: a new one after each change of tracks,
 * ffmpeg exit or media rebuild.
 */
import { rm, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Ffmpeg } from '../config/ffmpeg.js';
import type { RecordingTap, TapDestination } from '../media/index.js';
import { recorderFfmpegJob, storesVideoAsIs } from './ffmpegJob.js';
import { type FfmpegExit, FfmpegProcess } from './ffmpegProcess.js';
import { type RunFiles, SEGMENT_SECONDS } from './layout.js';
import { recorderSdp } from './sdp.js';
import { selectedProducerIds, type TrackSelection } from './trackSelection.js';
import { TrackRelay } from './rtpRelay.js';
import { findFreePortPairs, sendRtcpBye, waitUntilListening } from './udpPorts.js';

/** What a run needs of a stage (Stage has it). */
export interface TappableStage {
  readonly id: string;
  openRecordingTap(producerIds: string[]): Promise<RecordingTap>;
}

export interface RunOptions {
  stage: TappableStage;
  selection: TrackSelection;
  files: RunFiles;
  ffmpeg: Ffmpeg;
  logger: Logger;
}

/**
 * After the RTCP BYE, how long ffmpeg gets to read the rest of its input and end by itself (it
 * takes milliseconds, or as long as it lags behind on a loaded machine) before it is asked to.
 */
const INPUT_DRAIN_MS = 3_000;
/** How long ffmpeg gets to open its input before media is sent anyway. */
const LISTEN_TIMEOUT_MS = 5_000;
/**
 * What ffmpeg's HLS muxer logs when it cannot write a segment or its playlist. It does not stop
 * for that (it carries on and even exits 0, having written nothing), so the run is ended here.
 */
const WRITE_FAILURE = /failed to open file|failed to rename|no space left|read-only file system|permission denied|error writing/i;

export class RecordingRun {
  private keyFrameTimer: NodeJS.Timeout | undefined;
  private released = false;
  private writeFailure: string | undefined;

  private constructor(
    readonly files: RunFiles,
    readonly selection: TrackSelection,
    private readonly tap: RecordingTap,
    /** Where ffmpeg listens for each track. */
    private readonly destinations: TapDestination[],
    private readonly relays: TrackRelay[],
    private readonly ffmpeg: FfmpegProcess,
    private readonly logger: Logger,
  ) {
    void ffmpeg.exited.then(() => this.release()).catch((error: unknown) => logger.error({ err: error }, 'could not release a recorder run'));
    ffmpeg.onLogLine((line) => this.noticeWriteFailure(line));
  }

  /** Starts ffmpeg, then sends it media once it listens; throws (having cleaned up) when it cannot. */
  static async start(options: RunOptions): Promise<RecordingRun> {
    const { stage, selection, files, ffmpeg: installed } = options;
    const tap = await stage.openRecordingTap(selectedProducerIds(selection));
    let ffmpeg: FfmpegProcess | undefined;
    const relays: TrackRelay[] = [];
    try {
      const destinations = await chooseDestinations(tap);
      const mixed = tap.tracks.filter((track) => track.kind === 'audio').length > 1;
      for (const track of tap.tracks) relays.push(await TrackRelay.open(track, destinations.get(track.producerId)!, mixed));
      await writeFile(files.sdp, recorderSdp(tap.tracks, destinations));
      const logger = options.logger.child({ run: files.number });
      ffmpeg = FfmpegProcess.start(installed.path, recorderFfmpegJob(tap.tracks, files, installed), logger);
      const run = new RecordingRun(files, selection, tap, [...destinations.values()], relays, ffmpeg, logger);
      await tap.connect(new Map(tap.tracks.map((track, index) => [track.producerId, relays[index]!.tapDestination])));
      await run.sendMediaOnceListening();
      return run;
    } catch (error) {
      tap.close();
      for (const relay of relays) relay.close();
      // Nothing was sent to it, so nothing is lost; and an ffmpeg still probing its input does
      // not read the 'q' that asks it to finish.
      await ffmpeg?.kill();
      await rm(files.sdp, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** Resolves when ffmpeg has ended, whether asked to or not; a run ended for failing to write counts as not asked. */
  get exited(): Promise<FfmpegExit> {
    return this.ffmpeg.exited.then((exit) => (this.writeFailure ? { requested: false, error: this.writeFailure } : exit));
  }

  /**
   * When the run's media began (its first packet, of any track, reached ffmpeg), which is when its
   * first segment begins; undefined before any arrived.
   */
  get mediaStartedAtMs(): number | undefined {
    const arrivals = this.relays.map((relay) => relay.firstPacketAtMs).filter((time): time is number => time !== undefined);
    return arrivals.length > 0 ? Math.min(...arrivals) : undefined;
  }

  get pid(): number | undefined {
    return this.ffmpeg.pid;
  }

  /**
   * Has ffmpeg record everything sent to it, finish its last segment and playlist, then lets the
   * tap go. The BYE comes after the run's last packets, and ffmpeg reads a track's RTP before its
   * RTCP: it ends by itself once it has read them all.
   */
  async stop(): Promise<FfmpegExit> {
    const byeSent = await sendRtcpBye(this.destinations.map((destination) => destination.rtcpPort)).then(
      () => true,
      (error: unknown) => {
        this.logger.warn({ err: error }, 'could not send RTCP BYE to ffmpeg');
        return false;
      },
    );
    const exit = await this.ffmpeg.stop(undefined, byeSent ? INPUT_DRAIN_MS : 0);
    await this.release();
    return exit;
  }

  private noticeWriteFailure(line: string): void {
    if (this.writeFailure || !WRITE_FAILURE.test(line)) return;
    this.writeFailure = `ffmpeg cannot write the recording: ${line.trim()}`;
    this.logger.error({ reason: this.writeFailure }, 'recorder run cannot write; ending it');
    void this.ffmpeg.stop();
  }

  private async sendMediaOnceListening(): Promise<void> {
    const ports = this.destinations.map((destination) => destination.port);
    let ended = false;
    void this.ffmpeg.exited.then(() => (ended = true));
    const listening = await waitUntilListening(ports, LISTEN_TIMEOUT_MS, () => !ended);
    if (ended) throw new Error(`ffmpeg ended before it listened: ${(await this.ffmpeg.exited).error ?? 'no reason given'}`);
    if (!listening) this.logger.warn({ ports }, 'could not see ffmpeg listening; sending media anyway');
    await this.tap.resume();
    // Browsers' encoders send keyframes only when asked, and a stream-copy HLS muxer cuts a
    // segment only at a keyframe: ask about once per segment.
    this.keyFrameTimer = setInterval(() => void this.tap.requestKeyFrame(), SEGMENT_SECONDS * 1000);
    const video = this.tap.tracks.find((track) => track.kind === 'video');
    this.logger.info(
      {
        pid: this.ffmpeg.pid,
        video: video ? `${video.mimeType}${storesVideoAsIs(video) ? ' (stored as is)' : ' (encoded to H.264)'}` : 'none',
        audio: describeSound(this.tap.tracks.filter((track) => track.kind === 'audio').length),
      },
      'recorder run started',
    );
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.keyFrameTimer);
    this.tap.close();
    for (const relay of this.relays) relay.close();
    await rm(this.files.sdp, { force: true }).catch(() => undefined);
  }
}

function describeSound(sounds: number): string {
  if (sounds === 0) return 'none';
  return sounds === 1 ? 'one sound, encoded to AAC' : `${sounds} sounds mixed, encoded to AAC`;
}

async function chooseDestinations(tap: RecordingTap): Promise<Map<string, TapDestination>> {
  const pairs = await findFreePortPairs(tap.tracks.length);
  return new Map(tap.tracks.map((track, index) => [track.producerId, pairs[index]!]));
}
