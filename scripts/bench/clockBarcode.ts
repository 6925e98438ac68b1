/**
 * A wall-clock time painted into a video frame as big black and white blocks, and read back from
 * the blocks' brightness after the frame went through encoders, networks and players.
 *
 * The barcode fills the top of the frame: `dataRows` rows of `columns` blocks carry the low
 * `stampBits` bits of a Date.now() value and a CRC-8 over them, and as many rows below repeat them
 * inverted. A block whose brightness is neither clearly dark nor clearly light, a block that equals
 * its inverted twin, or a wrong CRC rejects the frame: a half-decoded or blurred frame (a stamp in
 * transition) is dropped rather than misread.
 *
 * readClockStamp and clockChecksum run in the browser too (see clockProbe.ts): they refer to
 * nothing but each other and CLOCK_BARCODE, and use no imports.
 */

/** Every block carries a bit: columns x dataRows = stampBits + checkBits. */
export const CLOCK_BARCODE = {
  columns: 16,
  /** Rows carrying bits; the same number of inverted rows follow them. */
  dataRows: 3,
  /** The barcode's share of the frame height, from the top. */
  heightShare: 0.6,
  /** 40 bits of milliseconds wrap every 35 years; the reader picks the wrap nearest its own time. */
  stampBits: 40,
  checkBits: 8,
  /** Brightness (0-255) below which a block is dark, and above which it is light. */
  darkBelow: 80,
  lightAbove: 176,
} as const;

/** The bits of a stamp in block order: the stamp's low bits (least significant first), then their CRC-8. */
export function clockBits(stampMs: number): boolean[] {
  const bits: boolean[] = [];
  let rest = Math.floor(stampMs);
  for (let index = 0; index < CLOCK_BARCODE.stampBits; index++) {
    bits.push(rest % 2 === 1);
    rest = Math.floor(rest / 2);
  }
  const check = clockChecksum(bits);
  for (let index = 0; index < CLOCK_BARCODE.checkBits; index++) bits.push(((check >> index) & 1) === 1);
  return bits;
}

/** CRC-8 (polynomial 0x07) over a sequence of bits. */
export function clockChecksum(bits: boolean[]): number {
  let crc = 0;
  for (const bit of bits) {
    const top = ((crc >> 7) & 1) === 1;
    crc = (crc << 1) & 0xff;
    if (top !== bit) crc ^= 0x07;
  }
  return crc;
}

/**
 * The stamp whose barcode these block brightnesses (0-255, row by row, inverted rows included)
 * show, taking the 40-bit wrap nearest `nearMs`; undefined unless every check passes.
 */
export function readClockStamp(brightness: ArrayLike<number>, nearMs: number): number | undefined {
  const { columns, dataRows, stampBits, checkBits, darkBelow, lightAbove } = CLOCK_BARCODE;
  const bitCount = stampBits + checkBits;
  if (brightness.length !== columns * dataRows * 2) return undefined;
  const bits: boolean[] = [];
  for (let index = 0; index < bitCount; index++) {
    const block = brightness[index]!;
    const twin = brightness[index + columns * dataRows]!;
    const clear = (value: number) => value < darkBelow || value > lightAbove;
    if (!clear(block) || !clear(twin) || block > lightAbove === twin > lightAbove) return undefined;
    bits.push(block > lightAbove);
  }
  const stampBitsRead = bits.slice(0, stampBits);
  let check = 0;
  for (let index = 0; index < checkBits; index++) if (bits[stampBits + index]) check |= 1 << index;
  if (clockChecksum(stampBitsRead) !== check) return undefined;
  let low = 0;
  for (let index = stampBits - 1; index >= 0; index--) low = low * 2 + (stampBitsRead[index] ? 1 : 0);
  const wrap = 2 ** stampBits;
  return low + Math.round((nearMs - low) / wrap) * wrap;
}

/** The pixel box of one block in a width x height frame; rows count inverted rows too. */
export function clockBlock(column: number, row: number, width: number, height: number): { x0: number; x1: number; y0: number; y1: number } {
  const { columns, dataRows, heightShare } = CLOCK_BARCODE;
  const rowHeight = (height * heightShare) / (dataRows * 2);
  return {
    x0: Math.round((column * width) / columns),
    x1: Math.round(((column + 1) * width) / columns),
    y0: Math.round(row * rowHeight),
    y1: Math.round((row + 1) * rowHeight),
  };
}

const BLACK_LUMA = 16;
const WHITE_LUMA = 235;

/** Paints the barcode of `stampMs` into the luma plane of a width x height frame. */
export function paintClockBarcode(luma: Uint8Array, width: number, height: number, stampMs: number): void {
  const { columns, dataRows } = CLOCK_BARCODE;
  const bits = clockBits(stampMs);
  const blocks = columns * dataRows;
  for (let index = 0; index < blocks * 2; index++) {
    const light = index < blocks ? bits[index] : !bits[index - blocks];
    const value = light ? WHITE_LUMA : BLACK_LUMA;
    const { x0, x1, y0, y1 } = clockBlock(index % columns, Math.floor(index / columns), width, height);
    for (let y = y0; y < y1; y++) luma.fill(value, y * width + x0, y * width + x1);
  }
}
