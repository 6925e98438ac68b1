/** Shared by the api-*.test.ts files: a raw HTTP caller and programme documents to import. */
import { expect } from 'vitest';
import type { ErrorCode } from '../../shared/protocol.js';
import type { RunningServer } from '../helpers/server.js';

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Calls the API as it is, returning the status and body whatever they are. */
export function apiCaller(server: RunningServer, defaultHeaders: Record<string, string> = {}) {
  // Any by default: a test reads what it expects of the answer and expect() checks it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...defaultHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return answerOf<T>(response.status, response.headers, new Uint8Array(await response.arrayBuffer()));
  };
}

/** An answer from its status, headers and body bytes, JSON parsed when it says it is JSON. */
export function answerOf<T>(status: number, headers: Headers, bytes: Uint8Array): Answer<T> {
  // Decoded by hand: Response#text() would drop a byte order mark the server sent.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  let parsed: unknown = text;
  if (headers.get('content-type')?.startsWith('application/json')) parsed = JSON.parse(text);
  return { status, headers, body: parsed as T, text };
}

export type Caller = ReturnType<typeof apiCaller>;

/** Asserts an error answer; `mentions` are words its message must contain (e.g. the bad field). */
export function expectError(answer: Answer, status: number, code: ErrorCode, ...mentions: string[]): void {
  expect({ status: answer.status, code: (answer.body as { error?: { code?: string } }).error?.code }, answer.text).toEqual({ status, code });
  const message = (answer.body as { error: { message: string } }).error.message;
  for (const mention of mentions) expect(message).toContain(mention);
}

const HOUR = 3_600_000;

/**
 * An event with two stages and a few talks; the first talk on the first stage runs now, so
 * viewers joining during the test count in its attendance.
 */
export function programmeDocument(eventId: string, visibility: 'public' | 'private', stageIds: [string, string]) {
  const now = Date.now();
  const at = (hours: number) => new Date(now + hours * HOUR).toISOString();
  const [first, second] = stageIds;
  return {
    format: 'estrad-programme',
    version: 1,
    event: {
      id: eventId,
      title: `Event ${eventId}`,
      description: 'En dag om folkhälsa.',
      organiser: 'Sundsvalls kommun',
      timeZone: 'Europe/Stockholm',
      language: 'sv',
      visibility,
    },
    stages: [
      { id: first, title: 'Stora salen', position: 0 },
      { id: second, title: 'Lilla salen', position: 1 },
    ],
    speakers: [
      { id: `${eventId}-anna`, name: 'Anna Berg', organisation: 'Region Västernorrland', bio: '' },
      { id: `${eventId}-omar`, name: 'Omar Haddad', organisation: 'Sundsvalls kommun', bio: 'Folkhälsostrateg.' },
    ],
    talks: [
      {
        id: `${eventId}-opening`,
        stageId: first,
        title: 'Öppning',
        description: 'Välkommen.',
        kind: 'talk',
        plannedStart: at(-1),
        plannedEnd: at(1),
        position: 0,
        speakerIds: [`${eventId}-anna`],
      },
      {
        id: `${eventId}-panel`,
        stageId: first,
        title: 'Panelsamtal',
        description: '',
        kind: 'panel',
        plannedStart: at(1),
        plannedEnd: at(2),
        position: 0,
        speakerIds: [`${eventId}-omar`, `${eventId}-anna`],
      },
      {
        id: `${eventId}-workshop`,
        stageId: second,
        title: 'Workshop',
        description: '',
        kind: 'talk',
        plannedStart: at(1),
        plannedEnd: at(3),
        position: 0,
        speakerIds: [`${eventId}-omar`],
      },
    ],
  };
}

export type ProgrammeDocument = ReturnType<typeof programmeDocument>;

/** What a browser's mediasoup-client sends for a microphone: enough for the SFU to accept a producer. */
export const opusParameters = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc: 11111111 }],
  rtcp: { cname: 'revoked-speaker', reducedSize: true },
};

/** What a browser's mediasoup-client sends for a camera (one encoding): enough for the SFU to accept a video producer. */
export const vp8Parameters = {
  mid: '1',
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc: 22222222 }],
  rtcp: { cname: 'camera', reducedSize: true },
};
