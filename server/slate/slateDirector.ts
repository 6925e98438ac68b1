/**
 * The stages' slates: a source per open stage (StageSlateSource), each stage's picture (its
 * upload, else the default one) and whether a technician put it up, kept in the database so a
 * restart keeps them.
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { StageSlate } from '../../shared/slate.js';
import type { Ffmpeg } from '../config/ffmpeg.js';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { SlateImageType } from '../../shared/slateDefaults.js';
import { clearSlateImage, setSlateImage, setSlateUp, stageSlate } from '../storage/slates.js';
import { SlateImages } from './slateImages.js';
import { StageSlateSource } from './stageSlateSource.js';

export interface SlateDirectorOptions {
  db: Database;
  dataDir: string;
  ffmpeg: Ffmpeg;
  registry: Pick<StageRegistry, 'onLifecycle' | 'get'>;
  logger: Logger;
}

export class SlateDirector {
  private readonly sources = new Map<string, StageSlateSource>();
  private readonly images: SlateImages;
  private readonly logger: Logger;
  private defaultImage: Promise<string> | undefined;

  constructor(private readonly options: SlateDirectorOptions) {
    this.logger = options.logger.child({ component: 'slate' });
    this.images = new SlateImages(options.dataDir, options.ffmpeg, this.logger);
    options.registry.onLifecycle({
      opened: (stage) => this.follow(stage),
      closed: (stage) => void this.unfollow(stage),
    });
  }

  state(stageId: string): StageSlate {
    const stored = stageSlate(this.options.db, stageId);
    const reason = this.options.registry.get(stageId)?.slateReason() ?? null;
    return {
      stageId,
      up: stored.up,
      shown: reason !== null,
      reason,
      image: { custom: stored.imageFile !== null, type: stored.imageType ?? 'image/png', updatedAt: stored.imageAt },
    };
  }

  /** The picture's file: the stage's upload, else the default slate. */
  async imagePath(stageId: string): Promise<string> {
    const { imageFile } = stageSlate(this.options.db, stageId);
    return imageFile ? this.images.path(imageFile) : this.defaultImagePath();
  }

  /** A technician puts the slate up on purpose (it stays up, a restart included) or takes it down. */
  putUp(stageId: string, up: boolean): StageSlate {
    setSlateUp(this.options.db, stageId, up);
    this.options.registry.get(stageId)?.setSlateUp(up);
    this.logger.info({ stage: stageId, up }, up ? 'slate put up' : 'slate taken down');
    return this.state(stageId);
  }

  /** A new picture for the stage's slate (checked and converted first); viewers see it within a second or two. */
  async replaceImage(stageId: string, bytes: Buffer, type: SlateImageType): Promise<StageSlate> {
    const file = await this.images.store(stageId, bytes, type);
    const previous = stageSlate(this.options.db, stageId).imageFile;
    setSlateImage(this.options.db, stageId, file, type);
    if (previous) await this.images.remove(previous);
    await this.sources.get(stageId)?.restart();
    return this.state(stageId);
  }

  /** Back to the default slate. */
  async resetImage(stageId: string): Promise<StageSlate> {
    const previous = stageSlate(this.options.db, stageId).imageFile;
    clearSlateImage(this.options.db, stageId);
    if (previous) {
      await this.images.remove(previous);
      await this.sources.get(stageId)?.restart();
    }
    return this.state(stageId);
  }

  /** The slate sources' ffmpeg process ids (for benchmarks). */
  pids(): number[] {
    return [...this.sources.values()].map((source) => source.pid).filter((pid) => pid !== undefined);
  }

  /** The server is stopping: a slate ffmpeg that ends now (Ctrl+C signals it too) is not started again. */
  stopRestarting(): void {
    for (const source of this.sources.values()) source.stopRestarting();
  }

  async close(): Promise<void> {
    const sources = [...this.sources.values()];
    this.sources.clear();
    await Promise.all(sources.map((source) => source.close()));
  }

  private defaultImagePath(): Promise<string> {
    const making = (this.defaultImage ??= this.images.defaultImage());
    // Tried again next time when it failed (the data folder not writable yet, say).
    making.catch(() => {
      if (this.defaultImage === making) this.defaultImage = undefined;
    });
    return making;
  }

  private follow(stage: Stage): void {
    stage.setSlateUp(stageSlate(this.options.db, stage.id).up);
    const logger = this.logger.child({ stage: stage.id });
    this.sources.set(
      stage.id,
      new StageSlateSource(stage, { ffmpegPath: () => this.options.ffmpeg.runnablePath(), imagePath: () => this.imagePath(stage.id), logger }),
    );
  }

  private async unfollow(stage: Stage): Promise<void> {
    const source = this.sources.get(stage.id);
    this.sources.delete(stage.id);
    await source?.close();
  }
}
