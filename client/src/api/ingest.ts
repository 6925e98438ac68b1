/** The control room's ingest API: a stage's ingest points, their encoder settings, and which feed is on air. */
import type { ApiRequest, IngestEncoderSettingsResponse, IngestPointInfo, StageFeedState } from '../../../shared/protocol';
import { apiPath as path, getJson, postJson, sendJson } from './http';

export const fetchIngestPoints = (stageId: string): Promise<{ ingestPoints: IngestPointInfo[] }> => getJson(path('/api/stages/%/ingest-points', stageId));
export const createIngestPoint = (stageId: string, input: ApiRequest<'ingestPoint'>): Promise<IngestPointInfo> =>
  postJson(path('/api/stages/%/ingest-points', stageId), input);
export const changeIngestPoint = (id: string, changes: ApiRequest<'ingestPointChanges'>): Promise<IngestPointInfo> =>
  sendJson('PATCH', path('/api/ingest-points/%', id), changes);
export const rotateIngestSecret = (id: string): Promise<IngestPointInfo> => sendJson('POST', path('/api/ingest-points/%/rotate', id));
export const revokeIngestPoint = (id: string): Promise<undefined> => sendJson('DELETE', path('/api/ingest-points/%', id));
export const fetchEncoderSettings = (id: string): Promise<IngestEncoderSettingsResponse> => getJson(path('/api/ingest-points/%/encoder-settings', id));

export const fetchFeedState = (stageId: string): Promise<StageFeedState> => getJson(path('/api/stages/%/feed', stageId));
export const chooseFeed = (stageId: string, use: ApiRequest<'stageFeed'>['use']): Promise<StageFeedState> =>
  postJson(path('/api/stages/%/feed', stageId), { use });
