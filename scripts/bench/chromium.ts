/** Launches Debian's Chromium for browser tests and benchmarks alike. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What Chromium finds to capture, and who allows it; both default to true (a speaker who can go on air). */
export interface ChromiumCapture {
  /**
   * Chromium's fake camera and microphone (a test pattern and a beep). Without them Chromium sees the
   * machine's own devices; a server has none, so getUserMedia fails with NotFoundError.
   */
  fakeDevices?: boolean;
  /**
   * Allow capture without a prompt. Without it a context's `permissions` decide: Chromium denies
   * camera and microphone (NotAllowedError) to a context that does not list them.
   */
  allowCapture?: boolean;
}

/** Debian's Chromium, by default with a fake camera and microphone it may use; never a downloaded browser. */
export async function launchChromium({ fakeDevices = true, allowCapture = true }: ChromiumCapture = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install it with "sudo apt-get install chromium" (npm test does this when run as root), or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(fakeDevices ? ['--use-fake-device-for-media-stream'] : []),
      ...(allowCapture ? ['--use-fake-ui-for-media-stream'] : []),
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}
