import { describe, expect, it } from 'vitest';
import { CLOCK_BARCODE, clockBits, clockBlock, paintClockBarcode, readClockStamp } from '../../scripts/bench/clockBarcode.js';

const BLOCKS = CLOCK_BARCODE.columns * CLOCK_BARCODE.dataRows * 2;

function paintedFrame(width: number, height: number, stampMs: number): Uint8Array {
  const luma = new Uint8Array(width * height).fill(60);
  paintClockBarcode(luma, width, height, stampMs);
  return luma;
}

/** Each block's centre as a browser would see it: limited-range luma stretched to 0-255. */
function blockBrightness(luma: Uint8Array, width: number, height: number): number[] {
  return Array.from({ length: BLOCKS }, (_, index) => {
    const { x0, x1, y0, y1 } = clockBlock(index % CLOCK_BARCODE.columns, Math.floor(index / CLOCK_BARCODE.columns), width, height);
    const value = luma[Math.floor((y0 + y1) / 2) * width + Math.floor((x0 + x1) / 2)]!;
    return ((value - 16) * 255) / 219;
  });
}

const STAMP = Date.UTC(2026, 10, 23, 12, 0, 0, 123);

describe('the clock barcode', () => {
  it('reads back the painted stamp at several frame sizes', () => {
    for (const [width, height] of [
      [1280, 720],
      [640, 360],
      [320, 180],
    ] as const) {
      const brightness = blockBrightness(paintedFrame(width, height, STAMP), width, height);
      expect(readClockStamp(brightness, STAMP + 250)).toBe(STAMP);
    }
  });

  it('reads stamps a frame apart as different times', () => {
    const next = STAMP + 33;
    expect(readClockStamp(blockBrightness(paintedFrame(640, 360, next), 640, 360), next + 100)).toBe(next);
  });

  it('takes the 40-bit wrap nearest the reader, even across a wrap', () => {
    const wrap = 2 ** CLOCK_BARCODE.stampBits;
    const justBeforeWrap = 2 * wrap - 10;
    const brightness = blockBrightness(paintedFrame(640, 360, justBeforeWrap), 640, 360);
    expect(readClockStamp(brightness, justBeforeWrap + 50)).toBe(justBeforeWrap);
    expect(readClockStamp(brightness, 2 * wrap + 500)).toBe(justBeforeWrap);
  });

  it('fills every block with a bit', () => {
    expect(clockBits(STAMP)).toHaveLength(CLOCK_BARCODE.columns * CLOCK_BARCODE.dataRows);
  });

  it('rejects a frame with a grey (blurred) block', () => {
    const brightness = blockBrightness(paintedFrame(640, 360, STAMP), 640, 360);
    brightness[7] = 128;
    expect(readClockStamp(brightness, STAMP)).toBeUndefined();
  });

  it('rejects a block that agrees with its inverted twin', () => {
    const brightness = blockBrightness(paintedFrame(640, 360, STAMP), 640, 360);
    const twin = 3 + BLOCKS / 2;
    brightness[3] = brightness[twin]!;
    expect(readClockStamp(brightness, STAMP)).toBeUndefined();
  });

  it('rejects a bit flipped in both halves through the checksum', () => {
    const brightness = blockBrightness(paintedFrame(640, 360, STAMP), 640, 360);
    for (const index of [5, 5 + BLOCKS / 2]) brightness[index] = 255 - brightness[index]!;
    expect(readClockStamp(brightness, STAMP)).toBeUndefined();
  });

  it('rejects a frame half from one stamp and half from the next', () => {
    const older = blockBrightness(paintedFrame(640, 360, STAMP), 640, 360);
    const newer = blockBrightness(paintedFrame(640, 360, STAMP + 1000 * 33), 640, 360);
    const mixed = older.map((value, index) => (index % CLOCK_BARCODE.columns < CLOCK_BARCODE.columns / 2 ? value : newer[index]!));
    expect(readClockStamp(mixed, STAMP)).toBeUndefined();
  });

  it('rejects a picture without the barcode', () => {
    expect(readClockStamp(new Array<number>(BLOCKS).fill(0), STAMP)).toBeUndefined();
    expect(readClockStamp(new Array<number>(BLOCKS).fill(255), STAMP)).toBeUndefined();
    expect(readClockStamp([], STAMP)).toBeUndefined();
  });
});
