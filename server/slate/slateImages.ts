/**
 * The slate's pictures, in the data folder's slates/: the default one, drawn by ffmpeg from the
 * message catalogue's words in both languages, and the stages' uploads. An upload is checked by
 * its first bytes, then decoded by ffmpeg into a 1280×720 PNG: what fails to decode is refused,
 * and the slate's encoder always loops a picture of one size and kind. (ffmpeg, not ffprobe: the
 * bundled ffmpeg build comes without ffprobe, and decoding is the stronger test.)
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { defaultSlateText } from '../../shared/slateDefaults.js';
import type { Ffmpeg } from '../config/ffmpeg.js';
import { AppError } from '../errors.js';
import { FfmpegProcess } from '../recording/ffmpegProcess.js';
import type { SlateImageType } from '../../shared/slateDefaults.js';

export const SLATE_WIDTH = 1280;
export const SLATE_HEIGHT = 720;
/** Larger pictures are refused before decoding: a small PNG can claim a huge canvas. */
const MAX_SIDE_PIXELS = 8192;
const DECODE_TIMEOUT_MS = 15_000;
const BACKGROUND = '0x1f2a44';
/** fonts-dejavu-core (Debian), which ffmpeg's own dependencies install; else fontconfig's sans. */
const DEJAVU_BOLD = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

export class SlateImages {
  readonly folder: string;

  constructor(
    dataDir: string,
    private readonly ffmpeg: Ffmpeg,
    private readonly logger: Logger,
  ) {
    this.folder = join(dataDir, 'slates');
  }

  /** The default slate's file, drawn once per wording (its name carries a hash of the words). */
  async defaultImage(): Promise<string> {
    const words = `${defaultSlateText.sv}\n${defaultSlateText.en}`;
    const path = join(this.folder, `default-${createHash('sha256').update(words).digest('hex').slice(0, 12)}.png`);
    if (existsSync(path)) return path;
    await mkdir(this.folder, { recursive: true });
    const textFiles = await Promise.all(
      Object.values(defaultSlateText).map(async (text, index) => {
        const file = join(this.folder, `default-text-${index}.txt`);
        await writeFile(file, text);
        return file;
      }),
    );
    const drawn = await this.draw(path, textFiles.map((file, index) => drawText(file, index, textFiles.length)).join(','));
    // An ffmpeg without drawtext (or fonts) still gives a slate: the colour without the words.
    if (!drawn) await this.draw(path, 'null');
    return path;
  }

  /** Checks an upload and stores it, as a 1280×720 PNG; answers its file name in the folder. */
  async store(stageId: string, bytes: Buffer, type: SlateImageType): Promise<string> {
    checkSignature(bytes, type);
    await mkdir(this.folder, { recursive: true });
    const name = `${stageId}-${randomUUID()}.png`;
    const upload = join(this.folder, `${name}.upload`);
    const partial = join(this.folder, `${name}.partial.png`);
    await writeFile(upload, bytes);
    try {
      const problem = await this.run({
        input: upload,
        // Decoded as the kind it claims to be, and nothing else.
        inputOptions: ['-f', type === 'image/png' ? 'png_pipe' : 'jpeg_pipe'],
        output: partial,
        outputOptions: ['-frames:v', '1', '-vf', fitInSlate(), '-update', '1'],
      });
      if (problem) throw new AppError('invalid_payload', `The image could not be decoded (${problem}); upload an intact PNG or JPEG file.`);
      await rename(partial, join(this.folder, name));
      return name;
    } finally {
      await rm(upload, { force: true });
      await rm(partial, { force: true });
    }
  }

  path(file: string): string {
    return join(this.folder, file);
  }

  async remove(file: string): Promise<void> {
    await rm(this.path(file), { force: true });
  }

  private async draw(path: string, filter: string): Promise<boolean> {
    const partial = `${path}.partial.png`;
    const problem = await this.run({
      input: `color=c=${BACKGROUND}:s=${SLATE_WIDTH}x${SLATE_HEIGHT}:d=1`,
      inputOptions: ['-f', 'lavfi'],
      output: partial,
      outputOptions: ['-vf', filter, '-frames:v', '1', '-update', '1'],
    });
    if (problem) {
      this.logger.warn({ problem }, 'ffmpeg could not draw the default slate');
      await rm(partial, { force: true });
      return false;
    }
    await rename(partial, path);
    return true;
  }

  /** Runs ffmpeg to its end; answers what went wrong, or undefined. */
  private async run(job: Parameters<typeof FfmpegProcess.start>[1]): Promise<string | undefined> {
    const process = FfmpegProcess.start(this.ffmpeg.runnablePath(), job, this.logger);
    const killer = setTimeout(() => void process.kill(), DECODE_TIMEOUT_MS);
    try {
      const exit = await process.exited;
      return exit.requested ? `it took longer than ${DECODE_TIMEOUT_MS / 1000} s` : exit.error;
    } finally {
      clearTimeout(killer);
    }
  }
}

/** Scaled to fit, centred on black: any picture becomes the slate's size. */
function fitInSlate(): string {
  return `scale=${SLATE_WIDTH}:${SLATE_HEIGHT}:force_original_aspect_ratio=decrease,pad=${SLATE_WIDTH}:${SLATE_HEIGHT}:(ow-iw)/2:(oh-ih)/2,format=rgb24`;
}

/** One line of the default slate, centred; lines are spaced around the middle of the picture. */
function drawText(textFile: string, line: number, lines: number): string {
  const font = existsSync(DEJAVU_BOLD) ? `fontfile=${quoted(DEJAVU_BOLD)}` : 'font=Sans';
  const lineHeight = 110;
  const y = `(h-text_h)/2+${Math.round((line - (lines - 1) / 2) * lineHeight)}`;
  return `drawtext=${font}:textfile=${quoted(textFile)}:fontcolor=white:fontsize=64:x=(w-text_w)/2:y=${y}`;
}

/** A path as a filter option's value: quoted, so colons and commas in it are not read as syntax. */
export function quoted(path: string): string {
  if (path.includes("'")) throw new Error(`The data folder's path must not contain a ' (it is given to ffmpeg's filters): ${path}`);
  return `'${path}'`;
}

/** The file is what it says it is, and not too large a canvas to decode. */
function checkSignature(bytes: Buffer, type: SlateImageType): void {
  const size = type === 'image/png' ? pngSize(bytes) : jpegSize(bytes);
  const kind = type === 'image/png' ? 'PNG' : 'JPEG';
  if (!size) throw new AppError('invalid_payload', `The body is not a ${kind} image (it does not start as one); upload a PNG or JPEG file.`);
  if (size.width < 1 || size.height < 1 || size.width > MAX_SIDE_PIXELS || size.height > MAX_SIDE_PIXELS) {
    throw new AppError(
      'invalid_payload',
      `The image is ${size.width}×${size.height} pixels; a slate may be at most ${MAX_SIDE_PIXELS} pixels on each side (it is shown at ${SLATE_WIDTH}×${SLATE_HEIGHT}).`,
    );
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG: the signature, then the IHDR chunk with the width and height. */
function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** JPEG: SOI, then segments up to the first start-of-frame, which holds the height and width. */
function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) return undefined;
  let offset = 2;
  while (offset + 9 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    const length = bytes.readUInt16BE(offset + 2);
    const startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (startOfFrame) return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    offset += 2 + length;
  }
  return undefined;
}
