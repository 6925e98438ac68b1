/**
 * Free space where recordings are written. ffmpeg's HLS muxer does not notice a full disk (it
 * goes on writing empty segments and exits 0), so the recorder watches the space itself and
 * stops a recording while what it wrote is still intact, leaving room for the database, which
 * usually shares the disk.
 */
import { access, constants, mkdir, statfs } from 'node:fs/promises';
import { stageDirectory } from './layout.js';

const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Why recording into `directory` must stop, or undefined while there is room (or no way to tell). */
export async function diskSpaceProblem(directory: string): Promise<string | undefined> {
  let freeBytes: number;
  try {
    const stats = await statfs(directory);
    freeBytes = stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
  if (freeBytes >= MIN_FREE_BYTES) return undefined;
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
