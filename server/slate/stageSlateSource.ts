/**
 * One stage's slate source: while anyone is on the stage, an ffmpeg sends the slate's picture and
 * silence into the stage (Stage.openSlate), so it is there the moment the program needs it; and
 * twice a second it checks that the video on air still arrives, and tells the stage when it
 * stopped (the slate is then shown in its place).
 */
import type { Logger } from 'pino';
import type { SlateFeed, Stage } from '../domain/stage.js';
import { FfmpegProcess } from '../recording/ffmpegProcess.js';
import { slateFfmpegJob } from './slateEncoder.js';

/** The on-air video has sent nothing for this long: its feed is lost. */
export const FEED_LOST_MS = 1_500;
const CHECK_MS = 500;
const RESTART_DELAY_MS = 2_000;

interface Running {
  feed: SlateFeed;
  ffmpeg: FfmpegProcess;
}

export class StageSlateSource {
  private running: Running | undefined;
  private starting = false;
  private notBefore = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly flow = new Map<string, { bytes: number; grewAt: number }>();
  private closed = false;
  /** A check still waiting for the media layer's figures: the next one is skipped, not stacked. */
  private checking = false;

  constructor(
    private readonly stage: Stage,
    private readonly options: { ffmpegPath: () => string; imagePath: () => Promise<string>; logger: Logger },
  ) {
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    void this.check();
  }

  /** A new picture: the source starts again with it. */
  async restart(): Promise<void> {
    await this.stop();
    this.notBefore = 0;
    await this.check();
  }

  /** Nothing is started again from now on; close() stops what runs. */
  stopRestarting(): void {
    this.closed = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.stop();
  }

  /** The ffmpeg's process id while it runs (for measuring its CPU). */
  get pid(): number | undefined {
    return this.running?.ffmpeg.pid;
  }

  private async check(): Promise<void> {
    if (this.closed || this.checking) return;
    this.checking = true;
    try {
      const running = this.running;
      if (running && (this.stage.isEmpty || !this.stage.hasSlateFeed(running.feed))) await this.stop();
      else if (!running && !this.stage.isEmpty && !this.starting && Date.now() >= this.notBefore) await this.start();
      await this.checkFeedFlow();
    } finally {
      this.checking = false;
    }
  }

  private async start(): Promise<void> {
    this.starting = true;
    try {
      const imagePath = await this.options.imagePath();
      const { feed, targets } = await this.stage.openSlate();
      if (this.closed) {
        this.stage.closeSlate(feed);
        return;
      }
      const ffmpeg = FfmpegProcess.start(this.options.ffmpegPath(), slateFfmpegJob(imagePath, targets), this.options.logger);
      const running = { feed, ffmpeg };
      this.running = running;
      void ffmpeg.exited.then((exit) => this.exited(running, exit.requested, exit.error));
      this.options.logger.info({ image: imagePath }, 'slate source started');
    } catch (error) {
      this.notBefore = Date.now() + RESTART_DELAY_MS;
      this.options.logger.error({ err: error }, 'the slate source could not start; trying again');
    } finally {
      this.starting = false;
    }
  }

  private exited(running: Running, requested: boolean, error: string | undefined): void {
    if (this.running !== running) return;
    this.running = undefined;
    this.stage.closeSlate(running.feed);
    if (requested || this.closed) return;
    this.notBefore = Date.now() + RESTART_DELAY_MS;
    this.options.logger.error({ error }, 'the slate source exited; starting it again');
  }

  private async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    this.stage.closeSlate(running.feed);
    await running.ffmpeg.kill();
  }

  /** Lost when every running video on air has sent nothing for FEED_LOST_MS (a new one gets that long to start). */
  private async checkFeedFlow(): Promise<void> {
    const videos = this.stage.onAirProducers().filter((producer) => producer.kind === 'video' && !producer.paused);
    const now = Date.now();
    const seen = new Set<string>();
    for (const video of videos) {
      seen.add(video.producerId);
      const bytes = await this.stage.producerBytes(video.producerId).catch(() => 0);
      const known = this.flow.get(video.producerId);
      if (!known || bytes > known.bytes) this.flow.set(video.producerId, { bytes, grewAt: now });
    }
    for (const producerId of this.flow.keys()) if (!seen.has(producerId)) this.flow.delete(producerId);
    const lost = videos.length > 0 && [...this.flow.values()].every((flow) => now - flow.grewAt > FEED_LOST_MS);
    this.stage.setMainFeedLost(lost);
  }
}
