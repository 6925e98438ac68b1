/** The control room's API: sign-in, technicians, stages, speaker and moderator invites, speakers' placement, the program and the audit log. */
import type {
  ApiRequest,
  AuditLogResponse,
  InviteResponse,
  ModeratorInviteResponse,
  Program,
  SpeakerPlacement,
  StageProgramResponse,
  StageSpeaker,
  TechnicianInfo,
  TechnicianResponse,
  TechniciansResponse,
} from '../../../shared/protocol';
import { apiPath as path, getJson, postJson, sendJson } from './http';

export const signIn = (credentials: ApiRequest<'login'>): Promise<TechnicianResponse> => postJson('/api/auth/login', credentials);
export const signOut = (): Promise<undefined> => sendJson('POST', '/api/auth/logout');
export const whoAmI = (): Promise<TechnicianResponse> => getJson('/api/auth/me');

export const fetchTechnicians = (): Promise<TechniciansResponse> => getJson('/api/technicians');
export const addTechnician = (input: ApiRequest<'newTechnician'>): Promise<TechnicianInfo> => postJson('/api/technicians', input);
export const setDisabled = (id: string, disabled: boolean): Promise<TechnicianInfo> => sendJson('PATCH', path('/api/technicians/%', id), { disabled });
export const resetPassword = (id: string, password: string): Promise<undefined> => sendJson('PUT', path('/api/technicians/%/password', id), { password });

export const createStage = (eventId: string, id: string, title: string): Promise<unknown> => postJson(path('/api/events/%/stages', eventId), { id, title });
export const renameStage = (stageId: string, title: string): Promise<unknown> => sendJson('PATCH', path('/api/stages/%', stageId), { title });
export const deleteStage = (stageId: string): Promise<undefined> => sendJson('DELETE', path('/api/stages/%', stageId));
export const inviteSpeaker = (stageId: string, label: string): Promise<InviteResponse> => postJson(path('/api/stages/%/invites', stageId), { label });
export const inviteModerator = (stageId: string, label: string): Promise<ModeratorInviteResponse> =>
  postJson(path('/api/stages/%/moderator-invites', stageId), { label });

export const placeSpeaker = (stageId: string, inviteId: string, placement: SpeakerPlacement): Promise<StageSpeaker> =>
  sendJson('PUT', path('/api/stages/%/speakers/%', stageId, inviteId), { placement });

export const takeProgram = (stageId: string, program: Program): Promise<StageProgramResponse> =>
  sendJson('PUT', path('/api/stages/%/program', stageId), program);

export const fetchAuditLog = (): Promise<AuditLogResponse> => getJson('/api/audit-log?limit=50');
