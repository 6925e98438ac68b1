/**
 * Captions of a recording: WebVTT files beside its segments, `captions.<language>.vtt` in
 * `recordings/<stage>/<recording>/`, timed in seconds of the whole recording as its own playlist
 * plays it (the sum of its segments). Whatever writes them (a captioner, a person with an editor)
 * only has to follow that convention; a talk replay gets them re-timed onto what it plays.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';

/** A language tag as the file name carries it: `sv`, `en`, `en-GB`, `sv-x-lattlast`. */
export const CAPTION_LANGUAGE_PATTERN = /^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;
const CAPTION_FILE = /^captions\.([a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\.vtt$/;

/** The languages a recording has captions in, sorted; none when its folder holds none (or is gone). */
export async function captionLanguages(directory: string): Promise<string[]> {
  const files = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return files.flatMap((file) => CAPTION_FILE.exec(file)?.[1] ?? []).sort();
}

/** A recording's captions in one language, as stored; `not_found` when it has none in that language. */
export async function readCaptions(directory: string, language: string): Promise<string> {
  if (!CAPTION_LANGUAGE_PATTERN.test(language)) throw new AppError('not_found', `There are no captions in “${language}”.`);
  const text = await readFile(join(directory, `captions.${language}.vtt`), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new AppError('not_found', `There are no captions in “${language}”.`);
    throw error;
  });
  if (!/^(?:\uFEFF)?WEBVTT(?:[ \t]|\r?\n|$)/.test(text)) throw new AppError('unavailable', `The captions file in “${language}” is not WebVTT.`);
  return text;
}

const TIMESTAMP = /^(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const TIMING_LINE = /^(\S+)[ \t]+-->[ \t]+(\S+)(.*)$/;

/**
 * The captions moved `offsetSeconds` earlier and cut to `durationSeconds`: what a player that
 * plays only that stretch of the recording needs. Cues wholly outside it are dropped; one that
 * began before it starts at 0. Header, notes, styles and regions stay as they are.
 */
export function retimedCaptions(text: string, offsetSeconds: number, durationSeconds: number): string {
  const blocks = text.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  const kept = blocks.flatMap((block) => {
    const lines = block.split('\n');
    const timingIndex = lines.findIndex((line) => line.includes('-->'));
    if (timingIndex < 0 || /^(?:NOTE|STYLE|REGION)\b/.test(lines[0] ?? '')) return [block];
    const timing = TIMING_LINE.exec(lines[timingIndex]!);
    const start = timing ? seconds(timing[1]!) : undefined;
    const end = timing ? seconds(timing[2]!) : undefined;
    // A cue the file gets wrong is left out, as a browser would skip it.
    if (!timing || start === undefined || end === undefined) return [];
    const [from, to] = [Math.max(0, start - offsetSeconds), Math.min(durationSeconds, end - offsetSeconds)];
    if (to <= 0 || from >= durationSeconds || to <= from) return [];
    lines[timingIndex] = `${timestamp(from)} --> ${timestamp(to)}${timing[3]}`;
    return [lines.join('\n')];
  });
  return `${kept.join('\n\n').trimEnd()}\n`;
}

function seconds(text: string): number | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, hours = '0', minutes, secs, millis] = match;
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(secs) + Number(millis) / 1000;
}

function timestamp(totalSeconds: number): string {
  const millis = Math.round(totalSeconds * 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(millis / 3_600_000))}:${pad(Math.floor(millis / 60_000) % 60)}:${pad(Math.floor(millis / 1000) % 60)}.${pad(millis % 1000, 3)}`;
}
