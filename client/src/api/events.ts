/** The public event API: events, their programmes, live stages, replays, registration and access. */
import type {
  AccessResponse,
  ApiRequest,
  ArchiveResponse,
  EventProgrammeResponse,
  EventsResponse,
  RecordingInfo,
  RegistrationResponse,
  ReplayInfo,
  StagesResponse,
} from '../../../shared/protocol';
import { getJson, postJson } from './http';

export const fetchEvents = (): Promise<EventsResponse> => getJson('/api/events');

export const fetchProgramme = (eventId: string): Promise<EventProgrammeResponse> => getJson(`/api/events/${encodeURIComponent(eventId)}`);

export const fetchStages = (): Promise<StagesResponse> => getJson('/api/stages');

export const fetchReplays = (): Promise<{ replays: ReplayInfo[] }> => getJson('/api/replays');

export const register = (registration: ApiRequest<'registration'>): Promise<RegistrationResponse> => postJson('/api/registrations', registration);

export const enterAccessCode = (eventId: string, code: string): Promise<AccessResponse> =>
  postJson(`/api/events/${encodeURIComponent(eventId)}/access`, { code } satisfies ApiRequest<'access'>);

export interface ArchiveSearch {
  q?: string;
  event?: string;
  stage?: string;
}

/** "?q=…&stage=…" with only the fields that are set, or "" when none is. */
export function archiveQueryString(search: ArchiveSearch): string {
  const query = new URLSearchParams(Object.entries(search).filter((entry): entry is [string, string] => Boolean(entry[1])));
  return query.size > 0 ? `?${query}` : '';
}

export const searchArchive = (search: ArchiveSearch): Promise<ArchiveResponse> => getJson(`/api/archive${archiveQueryString(search)}`);

export const fetchStageRecordings = (stageId: string): Promise<{ recordings: RecordingInfo[] }> =>
  getJson(`/api/recordings?stage=${encodeURIComponent(stageId)}`);
