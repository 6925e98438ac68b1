/**
 * An ffmpeg child process behind a small interface (start a job, stop it, learn how it ended).
 * This is the only file that knows about fluent-ffmpeg: replacing it, say by a plain spawn,
 * touches nothing else.
 */
import type { ChildProcess } from 'node:child_process';
import ffmpeg from 'fluent-ffmpeg';
import { isExecutable } from '../config/ffmpeg.js';
import type { Logger } from 'pino';

/** One input and one output, each with its options, as ffmpeg's command line orders them. */
export interface FfmpegJob {
  input: string;
  inputOptions: string[];
  output: string;
  outputOptions: string[];
}

export interface FfmpegExit {
  /** True when stop() asked ffmpeg to end. */
  requested: boolean;
  /** Why ffmpeg failed, in its own words (its last error line); undefined after a clean exit. */
  error: string | undefined;
}

/** After asking ffmpeg to finish, how long it gets to write its last segment. */
const DEFAULT_STOP_GRACE_MS = 5_000;
const KEPT_STDERR_LINES = 20;
const MAX_REASON_CHARS = 500;
const FAILURE_WORDS = /error|denied|no such|not a directory|no space|invalid|failed|unable|could not/i;

/**
 * ffmpeg children still running. Should the server exit without stopping them (a crash, the
 * shutdown's time limit), they are killed on the way out rather than left recording as orphans;
 * the next start recovers what they wrote (crashRecovery.ts).
 */
const runningChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of runningChildren) child.kill('SIGKILL');
});

export class FfmpegProcess {
  readonly exited: Promise<FfmpegExit>;
  private pidValue: number | undefined;
  private stopRequested = false;
  private killRequested = false;
  private running = false;
  private readonly stderrTail: string[] = [];
  private readonly lineListeners: ((line: string) => void)[] = [];

  private constructor(
    private readonly command: ffmpeg.FfmpegCommand | undefined,
    private readonly logger: Logger,
    cannotRun?: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (cannotRun) resolve({ requested: false, error: cannotRun });
      command?.on('end', () => resolve(this.exit(undefined)));
      command?.on('error', (error: Error) => resolve(this.exit(error.message)));
    });
    command?.on('start', () => this.started());
    command?.on('stderr', (line: string) => this.keepStderr(line));
  }

  static start(ffmpegPath: string, job: FfmpegJob, logger: Logger): FfmpegProcess {
    // fluent-ffmpeg throws from an event handler, taking the whole server down, when the binary
    // cannot be spawned: it must be there before fluent-ffmpeg is asked.
    if (!isExecutable(ffmpegPath)) return new FfmpegProcess(undefined, logger, `ffmpeg (${ffmpegPath}) is not an executable file`);
    // Options are passed as separate arguments: given as one array, fluent-ffmpeg would split any
    // value containing a single space (a folder name with a space) into two.
    const command = ffmpeg(job.input)
      .setFfmpegPath(ffmpegPath)
      .inputOptions(...job.inputOptions)
      .output(job.output)
      .outputOptions(...job.outputOptions);
    const process = new FfmpegProcess(command, logger);
    command.run();
    return process;
  }

  /** Calls the listener with each line ffmpeg writes to stderr (its log). */
  onLogLine(listener: (line: string) => void): void {
    this.lineListeners.push(listener);
  }

  /** The child's process id once it is running (for logs and benchmarks). */
  get pid(): number | undefined {
    return this.pidValue;
  }

  /**
   * Asks ffmpeg to finish, so it closes its current segment and playlist; kills it when it takes
   * longer than `graceMs`. `endsByItselfWithinMs`: ffmpeg was told its input ends (an RTCP BYE)
   * and gets this long to read that far and end by itself before it is asked: 'q' makes it stop
   * reading at once, dropping what it has not read yet, which on a loaded machine (ffmpeg a second
   * or two behind its input) was the last seconds of the run.
   */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS, endsByItselfWithinMs = 0): Promise<FfmpegExit> {
    if (!this.stopRequested && endsByItselfWithinMs > 0) {
      const ended = await this.endedWithin(endsByItselfWithinMs);
      if (!ended)
        this.logger.warn({ pid: this.pidValue, waitedMs: endsByItselfWithinMs }, 'ffmpeg did not end by itself at the end of its input; asking it to');
    }
    if (!this.stopRequested) {
      this.stopRequested = true;
      // Before 'start', fluent-ffmpeg is still checking ffmpeg's capabilities: ffmpeg is asked as
      // soon as it runs.
      if (this.running) this.askToFinish();
    }
    const killer = setTimeout(() => {
      this.logger.warn({ pid: this.pidValue }, 'ffmpeg did not stop in time; killing it');
      void this.kill();
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(killer);
    }
  }

  /** Whether ffmpeg ends, whatever the reason, within this many milliseconds. */
  private async endedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.exited.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends ffmpeg at once, without its last segment: for a run that never got anything to record. */
  kill(): Promise<FfmpegExit> {
    this.stopRequested = true;
    this.killRequested = true;
    // Before 'start' there is no child to signal yet: started() kills it.
    if (this.running) this.command?.kill('SIGKILL');
    return this.exited;
  }

  private started(): void {
    this.running = true;
    const child = this.child();
    this.pidValue = child?.pid;
    if (child) {
      runningChildren.add(child);
      child.once('exit', () => runningChildren.delete(child));
    }
    // Writing 'q' fails with EPIPE when ffmpeg has just died; its exit is reported anyway.
    child?.stdin?.on('error', () => undefined);
    if (this.killRequested) this.command?.kill('SIGKILL');
    else if (this.stopRequested) this.askToFinish();
  }

  /**
   * 'q' on stdin, ffmpeg's own "stop": not a signal, because a second signal (Ctrl-C in a
   * terminal reaches the whole process group) makes ffmpeg quit at once, leaving its last segment
   * and playlist empty.
   */
  private askToFinish(): void {
    const stdin = this.child()?.stdin;
    if (stdin?.writable) stdin.write('q');
    else this.command?.kill('SIGINT');
  }

  /** fluent-ffmpeg's child process, which it keeps (undocumented) while ffmpeg runs. */
  private child(): ChildProcess | undefined {
    return (this.command as { ffmpegProc?: ChildProcess } | undefined)?.ffmpegProc;
  }

  private exit(error: string | undefined): FfmpegExit {
    this.running = false;
    return { requested: this.stopRequested, error: error === undefined ? undefined : this.describeFailure(error) };
  }

  private keepStderr(line: string): void {
    if (!line.trim()) return;
    this.stderrTail.push(line);
    if (this.stderrTail.length > KEPT_STDERR_LINES) this.stderrTail.shift();
    this.logger.debug({ pid: this.pidValue, ffmpeg: line }, 'ffmpeg said');
    for (const listener of this.lineListeners) listener(line);
  }

  /**
   * fluent-ffmpeg's summary ("ffmpeg exited with code 1: Conversion failed!") plus the line that
   * says what went wrong ("… Permission denied"), which its summary leaves out.
   */
  private describeFailure(summary: string): string {
    const cause = this.stderrTail
      .filter((line) => FAILURE_WORDS.test(line))
      .at(-1)
      ?.trim();
    const firstLine = summary.split('\n')[0] ?? summary;
    const described = cause && !firstLine.includes(cause) ? `${firstLine} (${cause})` : firstLine;
    return described.slice(0, MAX_REASON_CHARS);
  }
}

/**
 * fluent-ffmpeg asks ffmpeg for its formats and encoders before the first job and caches the
 * answer; asking at start-up keeps that out of the first recording's start.
 */
export function warmUpFfmpeg(ffmpegPath: string, logger: Logger): void {
  if (!isExecutable(ffmpegPath)) return;
  ffmpeg.setFfmpegPath(ffmpegPath);
  ffmpeg.getAvailableFormats((formatsError) => {
    if (formatsError) logger.warn({ err: formatsError }, 'ffmpeg did not list its formats');
    ffmpeg.getAvailableEncoders((encodersError) => {
      if (encodersError) logger.warn({ err: encodersError }, 'ffmpeg did not list its encoders');
    });
  });
}
