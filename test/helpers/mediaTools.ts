/**
 * The ffmpeg and ffprobe the tests run themselves, to make media or to check what the server
 * wrote: the ones on PATH (Debian's, which `scripts/setup.mjs --for-tests` installs), as the test
 * servers find theirs (see essentialEnvironment). Never FFMPEG_PATH: a developer's own setting does
 * not change what a test runs. Missing, the tests that need them fail, saying what to do.
 */
import { findOnPath } from '../../server/config/ffmpeg.js';

export const TEST_FFMPEG = toolOnPath('ffmpeg');
export const TEST_FFPROBE = toolOnPath('ffprobe');

function toolOnPath(name: string): string {
  const found = findOnPath(name);
  if (!found) throw new Error(`${name} is not on PATH: install it (apt-get install ffmpeg; scripts/setup.mjs --for-tests does).`);
  return found;
}
