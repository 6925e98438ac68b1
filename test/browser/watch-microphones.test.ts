import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { PlainRtpSpeaker } from '../recording/plainRtpSpeaker.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { waitUntilPlaying } from '../helpers/player.js';
import { waitFor } from '../helpers/server.js';

/** The demo source's tone (server/ingest/testPattern.ts), and the second microphone's. */
const DEMO_TONE_HZ = 440;
const SECOND_TONE_HZ = 1000;
/** The analyser's bins are 48000 / 8192 ≈ 6 Hz wide: a tone's loudest bin is within two of it. */
const PITCH_TOLERANCE_HZ = 15;
/** Quieter than this, an element plays silence (the tones are about -20 dBFS). */
const SOUND_FLOOR_DB = -70;
const TIMEOUT_MS = 20_000;

interface HeardSound {
  /** The loudest frequency of what the element plays, and its level. */
  hz: number;
  db: number;
  playing: boolean;
}

/**
 * What each of the player's audio elements plays now, through the Web Audio API: an analyser on
 * each element's stream (attached once, the first time the element is seen).
 */
function heardSounds(page: Page): Promise<HeardSound[]> {
  return page.evaluate(() => {
    const state = window as unknown as { toneContext?: AudioContext; toneAnalysers?: Map<HTMLAudioElement, AnalyserNode> };
    const context = (state.toneContext ??= new AudioContext());
    void context.resume();
    const analysers = (state.toneAnalysers ??= new Map<HTMLAudioElement, AnalyserNode>());
    for (const audio of Array.from(document.querySelectorAll('audio'))) {
      if (analysers.has(audio) || !(audio.srcObject instanceof MediaStream)) continue;
      const analyser = context.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      context.createMediaStreamSource(audio.srcObject).connect(analyser);
      analysers.set(audio, analyser);
    }
    return [...analysers]
      .filter(([audio]) => audio.isConnected)
      .map(([audio, analyser]) => {
        const levels = new Float32Array(analyser.frequencyBinCount);
        analyser.getFloatFrequencyData(levels);
        const loudest = levels.reduce((best, level, bin) => (level > levels[best]! ? bin : best), 0);
        return {
          hz: (loudest * context.sampleRate) / analyser.fftSize,
          db: levels[loudest]!,
          playing: !audio.paused && !audio.muted && audio.volume > 0,
        };
      });
  });
}

/** Whether the player plays exactly these tones, each from an element of its own that is not muted. */
function playsTones(sounds: HeardSound[], tones: number[]): boolean {
  const heard = sounds.filter((sound) => sound.playing && sound.db > SOUND_FLOOR_DB);
  return (
    heard.length === sounds.length &&
    sounds.length === tones.length &&
    tones.every((tone) => heard.some((sound) => Math.abs(sound.hz - tone) <= PITCH_TOLERANCE_HZ))
  );
}

describe('a viewer hears every open microphone', () => {
  const fixture = useBrowserFixture({ env: { DEMO: '1' } });
  let speaker: PlainRtpSpeaker | undefined;

  afterAll(() => speaker?.stop());

  it('plays a second microphone beside the demo’s, each in its own element, and stops playing it when it closes', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/watch/demo`);
    await waitUntilPlaying(page, TIMEOUT_MS);
    let last: HeardSound[] = [];
    const hears = (tones: number[]) => async () => playsTones((last = await heardSounds(page)), tones);

    await waitFor(hears([DEMO_TONE_HZ]), TIMEOUT_MS, () => `the viewer does not hear the demo’s tone alone: ${JSON.stringify(last)}`);
    speaker = await PlainRtpSpeaker.publishTone(server.url, server.dataDir, 'demo', SECOND_TONE_HZ);
    await waitFor(hears([DEMO_TONE_HZ, SECOND_TONE_HZ]), TIMEOUT_MS, () => `the viewer does not hear both microphones: ${JSON.stringify(last)}`);

    speaker.stop();
    speaker = undefined;
    await waitFor(hears([DEMO_TONE_HZ]), TIMEOUT_MS, () => `the viewer does not hear the demo’s tone alone again: ${JSON.stringify(last)}`);
    expect(await page.evaluate(() => document.querySelectorAll('audio').length)).toBe(1);
  });
});
