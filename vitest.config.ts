import { defineConfig } from 'vitest/config';

/**
 * Two projects, chosen by the folder a test file is in:
 * - fast: code without media (unit, storage on a real SQLite, the HTTP API through Fastify's
 *   inject, client logic). No server process, no mediasoup worker, no ffmpeg, no Chromium; files
 *   run in parallel. `npm run test:fast`.
 * - media: everything that starts the built server, mediasoup, ffmpeg or Chromium. Servers get
 *   free ports and their own folders, but on a 2-core machine they share the CPU with the media
 *   they carry: with two files at once, the screen-share browser tests lost their viewer's video
 *   (2 of 2 full runs on a loaded machine), so by default they run one at a time; the recorder's
 *   files (media-recording), whose checks hold ffmpeg's output against the wall clock, alone, last.
 */
/** Test files of the media project running at once, for machines with more cores (MEDIA_FILES_AT_ONCE=2). */
const MEDIA_FILES_AT_ONCE = Number(process.env.MEDIA_FILES_AT_ONCE ?? 1);

export const FAST_TESTS = ['test/unit/**/*.test.ts', 'test/storage/**/*.test.ts', 'test/http/**/*.test.ts', 'test/client/**/*.test.ts'];
export const MEDIA_TESTS = ['test/integration/**/*.test.ts', 'test/browser/**/*.test.ts'];
/** The recorder's tests compare what ffmpeg wrote with the wall clock: they run alone, last. */
export const RECORDING_TESTS = ['test/recording/**/*.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'fast', include: FAST_TESTS, testTimeout: 10_000, hookTimeout: 10_000, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'media',
          include: MEDIA_TESTS,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // After the fast project (a different groupOrder is what allows a different maxWorkers).
          sequence: { groupOrder: 1 },
          maxWorkers: MEDIA_FILES_AT_ONCE,
        },
      },
      {
        extends: true,
        test: {
          name: 'media-recording',
          include: RECORDING_TESTS,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 2 },
          maxWorkers: 1,
        },
      },
    ],
  },
});
