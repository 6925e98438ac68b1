/**
 * A clock as a video source: raw yuv420p frames, each carrying the Date.now() of the moment it
 * is handed to the encoder (clockBarcode.ts), and a square that moves so the picture is never
 * still. Frames go out at the given rate on the encoder's stdin.
 */
import type { Writable } from 'node:stream';
import { CLOCK_BARCODE, paintClockBarcode } from './clockBarcode.js';

export interface ClockFrameOptions {
  width: number;
  height: number;
  fps: number;
}

const BACKGROUND_LUMA = 60;
const SQUARE_LUMA = 200;
const NEUTRAL_CHROMA = 128;
/** The square crosses the frame once in this time. */
const SQUARE_CROSSING_MS = 2000;

export interface ClockFrames {
  stop(): void;
}

/**
 * Writes a frame every 1/fps second. A frame the encoder has not taken by the next tick is not
 * followed by another: a late frame's stamp already counts its wait, and a queue would only grow.
 */
export function sendClockFrames(encoderInput: Writable, options: ClockFrameOptions): ClockFrames {
  const { width, height, fps } = options;
  const blank = blankFrame(width, height);
  const intervalMs = 1000 / fps;
  const startedAt = performance.now();
  let frameNumber = 0;
  let timer: NodeJS.Timeout | undefined;

  const tick = () => {
    if (encoderInput.writableLength === 0) {
      // A new buffer per frame: write() keeps a reference to it until the pipe has taken it.
      const frame = Buffer.from(blank);
      const now = Date.now();
      paintSquare(frame, width, height, now);
      paintClockBarcode(frame, width, height, now);
      encoderInput.write(frame);
    }
    frameNumber++;
    timer = setTimeout(tick, Math.max(0, startedAt + frameNumber * intervalMs - performance.now()));
  };
  tick();
  return { stop: () => clearTimeout(timer) };
}

function blankFrame(width: number, height: number): Buffer {
  const lumaSize = width * height;
  const frame = Buffer.alloc(lumaSize + lumaSize / 2, NEUTRAL_CHROMA);
  frame.fill(BACKGROUND_LUMA, 0, lumaSize);
  return frame;
}

/** A square moving left to right below the barcode. */
function paintSquare(luma: Buffer, width: number, height: number, nowMs: number): void {
  const top = Math.ceil(height * CLOCK_BARCODE.heightShare) + 8;
  const size = Math.max(2, Math.min(height - top - 8, Math.round(height / 4)));
  const left = Math.round(((nowMs % SQUARE_CROSSING_MS) / SQUARE_CROSSING_MS) * (width - size));
  for (let y = top; y < top + size; y++) luma.fill(SQUARE_LUMA, y * width + left, y * width + left + size);
}
