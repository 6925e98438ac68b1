import type { InviteResponse, SpeakerPlacement, StageSpeaker } from '../../shared/protocol.js';
import type { RunningServer } from './server.js';

/** Environment for startServer that creates a technician to sign in as. */
export const TECHNICIAN_ENV = { ADMIN_USERNAME: 'tech', ADMIN_PASSWORD: 'a-long-test-password' };
export const DEMO_EVENT_ID = 'folkhalsodagen-2026';

/** Signs in as the technician from TECHNICIAN_ENV (or another one) and calls the API with that session. */
export async function technicianClient(
  server: RunningServer,
  credentials: { username: string; password: string } = { username: TECHNICIAN_ENV.ADMIN_USERNAME, password: TECHNICIAN_ENV.ADMIN_PASSWORD },
) {
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (!login.ok) throw new Error(`technician sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} failed: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  return {
    cookie,
    call,
    createStage: (eventId: string, id: string, title: string) => call('POST', `/api/events/${eventId}/stages`, { id, title }),
    createInvite: (stageId: string) => call<InviteResponse>('POST', `/api/stages/${stageId}/invites`, { label: 'test speaker' }),
    /** Speakers arrive backstage: this takes the invite's speaker to air, now or when they connect. */
    placeSpeaker: (stageId: string, inviteId: string, placement: SpeakerPlacement) =>
      call<StageSpeaker>('PUT', `/api/stages/${stageId}/speakers/${inviteId}`, { placement }),
    /** An invite whose speaker goes on air as soon as they connect, for tests about what happens on air. */
    createOnAirInvite: async (stageId: string) => {
      const invite = await call<InviteResponse>('POST', `/api/stages/${stageId}/invites`, { label: 'test speaker' });
      await call('PUT', `/api/stages/${stageId}/speakers/${invite.id}`, { placement: 'on-air' });
      return invite;
    },
  };
}
