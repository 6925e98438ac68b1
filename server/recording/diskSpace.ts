/**
 * Free space where recordings are written. ffmpeg's HLS muxer does not notice a full disk (it
 * goes on writing empty segments and exits 0), so the recorder watches the space itself and
 * stops a recording while what it wrote is still intact, leaving room for the database, which
 * usually shares the disk.
 */
import { access, constants, mkdir, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stageDirectory } from './layout.js';

const MIN_FREE_BYTES = 64 * 1024 * 1024;

/**
 * Space on the disk that holds (or, not created yet, will hold) `directory`: free is what this
 * process may use. Undefined when it cannot be read.
 */
export async function diskSpace(directory: string): Promise<{ freeBytes: number; totalBytes: number } | undefined> {
  for (let folder = directory; ; folder = dirname(folder)) {
    try {
      const stats = await statfs(folder);
      return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(folder) === folder) return undefined;
    }
  }
}

/** Why recording into `directory` must stop, or undefined while there is room (or no way to tell). */
export async function diskSpaceProblem(directory: string): Promise<string | undefined> {
  const freeBytes = (await diskSpace(directory))?.freeBytes;
  if (freeBytes === undefined || freeBytes >= MIN_FREE_BYTES) return undefined;
  return `the disk holding ${directory} is full: ${megabytes(freeBytes)} MB free, recording needs ${megabytes(MIN_FREE_BYTES)} MB`;
}

/** Why a new recording of the stage could not be written now (its folder, or the disk), or undefined. */
export async function recordingFolderProblem(recordingsDir: string, stageId: string): Promise<string | undefined> {
  const directory = stageDirectory(recordingsDir, stageId);
  try {
    await mkdir(directory, { recursive: true });
    await access(directory, constants.W_OK);
  } catch (error) {
    return `cannot write the stage's recordings folder ${directory}: ${(error as Error).message}`;
  }
  return diskSpaceProblem(directory);
}

function megabytes(bytes: number): number {
  return Math.floor(bytes / (1024 * 1024));
}
