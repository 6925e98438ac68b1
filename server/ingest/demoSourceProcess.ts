import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';

export interface DemoSourceOptions {
  script: string;
  serverUrl: string;
  stageId: string;
  /** The stage's ingest key; handed over in the environment, where `ps` does not show it. */
  ingestKey: string;
  codec: 'VP8' | 'H264';
  ffmpegPath: string;
}

const RESTART_DELAY_MS = 2000;
/** Where scripts/demo-source reads the stage's ingest key. */
export const INGEST_KEY_VARIABLE = 'ESTRAD_INGEST_KEY';

/**
 * Runs scripts/demo-source in its own process, as any other ingest client would, and starts it
 * again if it exits while the server is up.
 */
export class DemoSourceProcess {
  private child: ChildProcess | undefined;
  private stopped = false;
  private readonly logger: Logger;

  constructor(
    private readonly options: DemoSourceOptions,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'demo-source', stage: options.stageId });
  }

  start(): void {
    const { script, serverUrl, stageId, ingestKey, codec, ffmpegPath } = this.options;
    const child = spawn(process.execPath, [script, '--url', serverUrl, '--stage', stageId, '--codec', codec, '--ffmpeg', ffmpegPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The stage's key and nothing of the server's own environment (its secrets, DATA_DIR, ADMIN_*):
      // the script and ffmpeg are given by path, and every setting the source needs is an argument.
      env: { [INGEST_KEY_VARIABLE]: ingestKey },
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.logger.info(chunk.toString().trim()));
    child.stderr?.on('data', (chunk: Buffer) => this.logger.warn(chunk.toString().trim()));
    child.on('exit', (code, signal) => {
      if (this.stopped) return;
      this.logger.error({ code, signal }, 'demo source exited; starting it again');
      setTimeout(() => {
        if (!this.stopped) this.start();
      }, RESTART_DELAY_MS);
    });
  }

  /**
   * The server is stopping: the source is not started again when it exits (Ctrl+C in a terminal
   * signals it too), though it keeps sending until stop() while the recordings finish.
   */
  stopRestarting(): void {
    this.stopped = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
