/**
 * A script for a page that plays the clock source (clockFrames.ts): for every frame the video
 * element presents, it reads the barcode and keeps how long after its stamp the frame is shown.
 * Runs in Chromium, on the same machine and clock as the source.
 */
import { CLOCK_BARCODE, clockChecksum, readClockStamp } from './clockBarcode.js';

export interface ClockSample {
  stampMs: number;
  /** Wall-clock time the frame is expected on screen, minus its stamp. */
  delayMs: number;
}

export interface ClockReadings {
  samples: ClockSample[];
  /** Presented frames whose barcode failed a check (blurred, half-decoded, not the clock). */
  rejected: number;
  /** Times the video ran out of data and waited ('waiting' events). */
  stalls: number;
}

/** In the page: `window.estradClock.take()` returns what was read since the last call. */
export function clockProbeScript(videoSelector: string): string {
  return `(() => {
    const CLOCK_BARCODE = ${JSON.stringify(CLOCK_BARCODE)};
    ${clockChecksum.toString()}
    ${readClockStamp.toString()}
    window.estradClock = (${installClockProbe.toString()})(${JSON.stringify(videoSelector)}, CLOCK_BARCODE, readClockStamp);
  })()`;
}

/** What the probe uses of the page, declared here because scripts are built without the DOM library. */
interface ProbeVideo {
  videoWidth: number;
  videoHeight: number;
  requestVideoFrameCallback(callback: (now: number, metadata: { expectedDisplayTime: number }) => void): number;
  addEventListener(type: 'waiting', listener: () => void): void;
}
interface ProbeContext {
  drawImage(image: ProbeVideo, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
  getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
}
interface ProbeDocument {
  querySelector(selector: string): ProbeVideo | null;
  createElement(tag: 'canvas'): { width: number; height: number; getContext(kind: '2d', options: { willReadFrequently: boolean }): ProbeContext | null };
}

/**
 * Runs in the page (serialized: it may use only its arguments and the page's globals). Each
 * block is drawn into a 4x4 cell of a small canvas and read at the cell's centre, away from
 * the blur of its edges.
 */
function installClockProbe(videoSelector: string, layout: typeof CLOCK_BARCODE, read: typeof readClockStamp): { take(): ClockReadings } {
  const page = globalThis as unknown as { document: ProbeDocument };
  const video = page.document.querySelector(videoSelector);
  if (!video) throw new Error(`no video element matches ${videoSelector}`);
  const cell = 4;
  const rows = layout.dataRows * 2;
  const canvas = page.document.createElement('canvas');
  canvas.width = layout.columns * cell;
  canvas.height = rows * cell;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  let readings: ClockReadings = { samples: [], rejected: 0, stalls: 0 };

  const onFrame = (_now: number, metadata: { expectedDisplayTime: number }) => {
    video.requestVideoFrameCallback(onFrame);
    if (video.videoWidth === 0) return;
    // Date.now() is the source's clock; the performance clock only gives the offset to display time.
    const shownAtMs = Date.now() + (metadata.expectedDisplayTime - performance.now());
    const barcodeHeight = video.videoHeight * layout.heightShare;
    context.drawImage(video, 0, 0, video.videoWidth, barcodeHeight, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const brightness: number[] = [];
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < layout.columns; column++) {
        const at = ((row * cell + cell / 2) * canvas.width + column * cell + cell / 2) * 4;
        brightness.push(0.299 * pixels[at]! + 0.587 * pixels[at + 1]! + 0.114 * pixels[at + 2]!);
      }
    }
    const stampMs = read(brightness, shownAtMs);
    if (stampMs === undefined) readings.rejected++;
    else readings.samples.push({ stampMs, delayMs: shownAtMs - stampMs });
  };
  video.requestVideoFrameCallback(onFrame);
  video.addEventListener('waiting', () => readings.stalls++);
  return {
    take() {
      const taken = readings;
      readings = { samples: [], rejected: 0, stalls: 0 };
      return taken;
    },
  };
}
