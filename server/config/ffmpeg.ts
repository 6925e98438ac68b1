import { accessSync, chmodSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/**
 * Where ffmpeg is: FFMPEG_PATH, else `ffmpeg` on PATH, else the static build shipped inside the
 * @ffmpeg-installer/linux-x64 package (old, but works offline).
 */
export function resolveFfmpegPath(configured: string | undefined = process.env.FFMPEG_PATH): string {
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`FFMPEG_PATH=${configured} is not an executable file; fix or unset it.`);
    return configured;
  }
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'ffmpeg'))
    .find(isExecutable);
  if (onPath) return onPath;
  const bundled = bundledFfmpeg();
  if (bundled) return bundled;
  throw new Error('ffmpeg was not found: install it (apt-get install ffmpeg) or set FFMPEG_PATH.');
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
