import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/** How long ffmpeg may take to list its filters or options (it answers in well under a second). */
const LISTING_TIMEOUT_MS = 10_000;

/**
 * The ffmpeg the server runs, found once at start-up (see Ffmpeg.find) and handed to every part
 * that runs it: the recorder, the ingest points, the demo source and replay downloads.
 */
export class Ffmpeg {
  private bitstreamFilters: ReadonlySet<string> | undefined;
  private readonly demuxerOptions = new Map<string, ReadonlySet<string>>();

  private constructor(
    /** The executable; when none was found, the one asked for (running it fails). */
    readonly path: string,
    /** Why there is no ffmpeg to run, saying what to do; undefined when one was found. */
    readonly missing: string | undefined,
  ) {}

  /** FFMPEG_PATH, else `ffmpeg` on PATH, else the bundled build. Never throws: `missing` says what is wrong. */
  static find(configured: string | undefined): Ffmpeg {
    try {
      return new Ffmpeg(resolveFfmpegPath(configured), undefined);
    } catch (error) {
      return new Ffmpeg(configured ?? 'ffmpeg', error instanceof Error ? error.message : String(error));
    }
  }

  /** The path to run; throws, saying what to do, when no ffmpeg was found. */
  runnablePath(): string {
    if (this.missing) throw new Error(this.missing);
    return this.path;
  }

  /**
   * Whether this ffmpeg has the named bitstream filter (ffmpeg is asked once, the first time).
   * Builds differ: the bundled 2018 one lacks setts (FFmpeg 4.4), for one. False without ffmpeg.
   */
  hasBitstreamFilter(name: string): boolean {
    this.bitstreamFilters ??= this.ask(['-bsfs']);
    return this.bitstreamFilters.has(name);
  }

  /** Whether this ffmpeg's demuxer takes the option (asked once per demuxer); false without ffmpeg. */
  hasDemuxerOption(demuxer: string, option: string): boolean {
    let options = this.demuxerOptions.get(demuxer);
    if (!options) {
      options = this.ask(['-h', `demuxer=${demuxer}`]);
      this.demuxerOptions.set(demuxer, options);
    }
    return options.has(option);
  }

  /** The names ffmpeg lists in answer to `args`; none when it cannot answer (then it has none of the optional features). */
  private ask(args: string[]): Set<string> {
    if (this.missing) return new Set();
    try {
      return parseFfmpegListing(
        execFileSync(this.path, ['-hide_banner', ...args], { encoding: 'utf8', timeout: LISTING_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'] }),
      );
    } catch {
      return new Set();
    }
  }
}

/**
 * The names in what `ffmpeg -bsfs` (one filter a line) or `ffmpeg -h demuxer=…` (one `-option`
 * a line, its values indented deeper) lists, without the headings.
 */
export function parseFfmpegListing(listing: string): Set<string> {
  const names = listing.split('\n').flatMap((line) => {
    const match = /^(?:([\w-]+)| {2}-([\w-]+)\s.*)$/.exec(line);
    return match ? [match[1] ?? match[2]!] : [];
  });
  return new Set(names);
}

/**
 * Where ffmpeg is: FFMPEG_PATH, else `ffmpeg` on PATH, else the static build shipped inside the
 * @ffmpeg-installer/linux-x64 package (old, but works offline).
 */
export function resolveFfmpegPath(configured: string | undefined): string {
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`FFMPEG_PATH=${configured} is not an executable file; fix or unset it.`);
    return configured;
  }
  const onPath = findOnPath('ffmpeg');
  if (onPath) return onPath;
  const bundled = bundledFfmpeg();
  if (bundled) return bundled;
  throw new Error('ffmpeg was not found: install it (apt-get install ffmpeg) or set FFMPEG_PATH.');
}

/** The first executable of that name in PATH's folders. */
export function findOnPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

function bundledFfmpeg(): string | undefined {
  try {
    const path = createRequire(import.meta.url).resolve('@ffmpeg-installer/linux-x64/ffmpeg');
    // The package's own postinstall (chmod) does not run: dependency scripts are off in .npmrc.
    if (!isExecutable(path)) chmodSync(path, 0o755);
    return path;
  } catch {
    return undefined;
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
