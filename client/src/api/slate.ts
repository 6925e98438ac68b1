/** The control room's slate API: put it up or take it down, replace its picture or go back to the default one. */
import type { StageSlate } from '../../../shared/slate';
import { apiPath, getJson, sendFile, sendJson } from './http';

const slatePath = (stageId: string) => apiPath('/api/stages/%/slate', stageId);

export const fetchSlate = (stageId: string): Promise<StageSlate> => getJson(slatePath(stageId));
export const putSlateUp = (stageId: string, up: boolean): Promise<StageSlate> => sendJson(up ? 'POST' : 'DELETE', slatePath(stageId));
export const uploadSlateImage = (stageId: string, file: File): Promise<StageSlate> => sendFile('PUT', `${slatePath(stageId)}/image`, file, file.type);
export const resetSlateImage = (stageId: string): Promise<StageSlate> => sendJson('DELETE', `${slatePath(stageId)}/image`);
/** The picture as viewers see it; `version` changes with each new picture, so the browser fetches it again. */
export const slateImageUrl = (stageId: string, version: string): string => `${slatePath(stageId)}/image?v=${encodeURIComponent(version)}`;
