/** Replays and recordings for the player: what to play, its chapters, its captions and the questions on screen while it was recorded. */
import type { CaptionsResponse, ChaptersResponse, OnScreenResponse, RecordingInfo, ReplayInfo } from '../../../shared/protocol';
import { getJson } from './http';

/** The access header of a private event's personal link, when the page was opened with one. */
export type AccessHeaders = Record<string, string> | undefined;

export const fetchReplay = (id: string, headers: AccessHeaders): Promise<ReplayInfo> => getJson(`/api/replays/${encodeURIComponent(id)}`, headers);

export const fetchRecording = (id: string, headers: AccessHeaders): Promise<RecordingInfo> => getJson(`/api/recordings/${encodeURIComponent(id)}`, headers);

export const fetchChapters = (of: 'replays' | 'recordings', id: string, headers: AccessHeaders): Promise<ChaptersResponse> =>
  getJson(`/api/${of}/${encodeURIComponent(id)}/chapters`, headers);

export const fetchQuestionsOnScreen = (of: 'replays' | 'recordings', id: string, headers: AccessHeaders): Promise<OnScreenResponse> =>
  getJson(`/api/${of}/${encodeURIComponent(id)}/questions-on-screen`, headers);

export const fetchCaptions = (of: 'replays' | 'recordings', id: string, headers: AccessHeaders): Promise<CaptionsResponse> =>
  getJson(`/api/${of}/${encodeURIComponent(id)}/captions`, headers);
