/**
 * Which tones a recording's sound holds: ffmpeg decodes its audio to mono PCM, and each asked
 * frequency gets its share of the sound's power (a Hann-windowed Goertzel filter, one DFT bin,
 * over 100 ms blocks). Shares do not depend on the level or on the codecs in between: a tone that
 * is there carries a good part of the power, one that is not next to none (the window's leakage
 * from a tone 500 Hz away is below a thousandth).
 */
import { execFileSync } from 'node:child_process';
import { TEST_FFMPEG } from './mediaTools.js';

const SAMPLE_RATE = 48_000;
const BLOCK_SAMPLES = SAMPLE_RATE / 10;
/** Above this share of the power, a tone is heard; below the other, it is not there. */
export const TONE_PRESENT_SHARE = 0.1;
export const TONE_ABSENT_SHARE = 0.01;

/** Share of the audio's power (0 to 1) at each frequency, in the order asked. */
export function toneShares(path: string, frequencies: number[]): number[] {
  const samples = decodedMono(path);
  const blocks = Math.floor(samples.length / BLOCK_SAMPLES);
  if (blocks === 0) throw new Error(`${path} has less than ${BLOCK_SAMPLES / SAMPLE_RATE} s of sound`);
  const window = Array.from({ length: BLOCK_SAMPLES }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / BLOCK_SAMPLES));
  return frequencies.map((frequency) => {
    let tonePower = 0;
    let totalPower = 0;
    for (let block = 0; block < blocks; block++) {
      const windowed = window.map((weight, n) => weight * samples[block * BLOCK_SAMPLES + n]!);
      tonePower += goertzelPower(windowed, frequency);
      totalPower += windowed.reduce((sum, sample) => sum + sample * sample, 0);
    }
    // A Hann-windowed sine puts N/3 times its windowed energy into its own bin.
    return totalPower === 0 ? 0 : (3 * tonePower) / (BLOCK_SAMPLES * totalPower);
  });
}

/** The file's first audio stream, both channels averaged, as samples from -1 to 1. */
function decodedMono(path: string): Float64Array {
  const pcm = execFileSync(TEST_FFMPEG, ['-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-'], {
    maxBuffer: 64 * 1024 * 1024,
    // What ffmpeg says goes into the error thrown, not onto the test's output.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const samples = new Float64Array(Math.floor(pcm.length / 2));
  for (let index = 0; index < samples.length; index++) samples[index] = pcm.readInt16LE(index * 2) / 32768;
  return samples;
}

/** |X(f)|² of the samples at one frequency. */
function goertzelPower(samples: number[], frequency: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / SAMPLE_RATE);
  let [previous, beforePrevious] = [0, 0];
  for (const sample of samples) [previous, beforePrevious] = [sample + coefficient * previous - beforePrevious, previous];
  return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
}
