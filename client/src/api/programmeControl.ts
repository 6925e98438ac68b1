/** The control room's programme and recording API: a stage's talks, the talk on air, recording on and off, chapter markers. */
import type { ChapterMarkerInfo, ControlTalk, NewTalk, RecordingControl, StageOnAir, StageTalksResponse, TalkChanges } from '../../../shared/programmeControl';
import { getJson, postJson, sendJson } from './http';

const stagePath = (stageId: string, rest: string) => `/api/stages/${encodeURIComponent(stageId)}/${rest}`;
const talkPath = (talkId: string) => `/api/talks/${encodeURIComponent(talkId)}`;

export const fetchStageTalks = (stageId: string): Promise<StageTalksResponse> => getJson(stagePath(stageId, 'talks'));
export const addTalk = (stageId: string, talk: NewTalk): Promise<ControlTalk> => postJson(stagePath(stageId, 'talks'), talk);
export const changeTalk = (talkId: string, changes: TalkChanges): Promise<ControlTalk> => sendJson('PATCH', talkPath(talkId), changes);
export const removeTalk = (talkId: string): Promise<undefined> => sendJson('DELETE', talkPath(talkId));
export const reorderTalks = (stageId: string, talkIds: string[]): Promise<StageTalksResponse> => sendJson('PUT', stagePath(stageId, 'talk-order'), { talkIds });

export const putOnAir = (stageId: string, talkId: string | null): Promise<StageOnAir> => sendJson('PUT', stagePath(stageId, 'on-air'), { talkId });
export const nextOnAir = (stageId: string): Promise<StageOnAir> => sendJson('POST', stagePath(stageId, 'on-air/next'));

export const fetchRecordingControl = (stageId: string): Promise<RecordingControl> => getJson(stagePath(stageId, 'recording'));
export const switchRecording = (stageId: string, recorded: boolean): Promise<RecordingControl> =>
  sendJson('PUT', stagePath(stageId, 'recording'), { recorded });
export const setChapterMarker = (stageId: string, title: string): Promise<ChapterMarkerInfo> => postJson(stagePath(stageId, 'chapter-markers'), { title });
