import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingControl, StageOnAir } from '../../shared/programmeControl.js';
import type { InviteResponse, JoinResult, Program, StageSpeaker } from '../../shared/protocol.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument, vp8Parameters } from './api-fixtures.js';

/** What the issue asks: a change in one control room shows in the others within a second. */
const PUSH_WITHIN_MS = 1_000;
const STAGE = 'push';
const SECOND_TECHNICIAN = { username: 'tech-two', password: 'another-long-test-password' };

type Technician = Awaited<ReturnType<typeof technicianClient>>;

/**
 * Two technicians' control rooms open at once on the real server: each follows the health
 * (the control room's socket) and monitors the stage, as /control does. What one changes over the
 * API reaches the other's sockets as a push, not at its next poll.
 */
describe('two control rooms open at once', () => {
  let server: RunningServer;
  let first: Technician;
  let second: Technician;
  let secondControl: RawSocket;
  let secondMonitor: RawSocket;
  const sockets: RawSocket[] = [];
  const day = programmeDocument('push-day', 'public', [STAGE, 'push-side']);

  async function socket(auth: Parameters<typeof connect>[1], cookie: string): Promise<RawSocket> {
    const connected = await connect(server.url, auth, { extraHeaders: { cookie } });
    sockets.push(connected);
    return connected;
  }

  async function ok<T>(on: RawSocket, event: string, payload: unknown): Promise<T> {
    const answer = await request<T>(on, event, payload);
    if (!answer.ok) throw new Error(`${event}: ${answer.error.code}: ${answer.error.message}`);
    return answer.data;
  }

  /** A control room as /control opens it: the health-following socket, and a monitor of the stage. */
  async function controlRoom(technician: Technician): Promise<{ control: RawSocket; monitor: RawSocket }> {
    const control = await socket({}, technician.cookie);
    await ok(control, 'health:follow', {});
    const monitor = await socket({}, technician.cookie);
    await ok<JoinResult>(monitor, 'stage:join', { stageId: STAGE, role: 'monitor' });
    return { control, monitor };
  }

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV });
    first = await technicianClient(server);
    await first.call('POST', '/api/programme', day);
    await first.call('POST', '/api/technicians', SECOND_TECHNICIAN);
    second = await technicianClient(server, SECOND_TECHNICIAN);
    await controlRoom(first);
    ({ control: secondControl, monitor: secondMonitor } = await controlRoom(second));
  });

  afterAll(async () => {
    for (const open of sockets) open.disconnect();
    expect(await server?.stop()).toBe(0);
  });

  /**
   * Runs the first technician's action and resolves with what the second's socket was pushed and
   * how long after the action began; fails naming the event when it does not come within a second.
   */
  async function pushedAfter<T>(on: RawSocket, event: string, matches: (payload: T) => boolean, action: () => Promise<unknown>) {
    const started = performance.now();
    const pushed = new Promise<{ payload: T; afterMs: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        on.off(event, listener);
        reject(new Error(`the other control room was not pushed a matching ${event} within ${PUSH_WITHIN_MS} ms`));
      }, PUSH_WITHIN_MS);
      const listener = (payload: T) => {
        if (!matches(payload)) return;
        clearTimeout(timer);
        on.off(event, listener);
        resolve({ payload, afterMs: performance.now() - started });
      };
      on.on(event, listener);
    });
    await action();
    return pushed;
  }

  it('shows the talk another technician puts on air', async () => {
    const talkId = day.talks[0]!.id;
    const { payload, afterMs } = await pushedAfter<StageOnAir>(
      secondControl,
      'programme:onAir',
      (onAir) => onAir.stageId === STAGE && onAir.talk?.id === talkId,
      () => first.call('PUT', `/api/stages/${STAGE}/on-air`, { talkId }),
    );
    expect(payload.next?.id).toBe(day.talks[1]!.id);
    expect(afterMs).toBeLessThan(PUSH_WITHIN_MS);
  });

  it('shows the recording another technician switches off and on', async () => {
    for (const recorded of [false, true]) {
      const { payload, afterMs } = await pushedAfter<RecordingControl>(
        secondControl,
        'recording:control',
        (state) => state.stageId === STAGE && state.recorded === recorded,
        () => first.call('PUT', `/api/stages/${STAGE}/recording`, { recorded }),
      );
      expect(payload).toMatchObject({ current: null, disk: { freeBytes: expect.any(Number) } });
      expect(afterMs).toBeLessThan(PUSH_WITHIN_MS);
    }
  });

  it('shows the speaker another technician takes to air, and the Take of their camera', async () => {
    const invite = await first.call<InviteResponse>('POST', `/api/stages/${STAGE}/invites`, { label: 'Omar Haddad' });
    const speaker = await connect(server.url, { invite: invite.token });
    sockets.push(speaker);
    await ok<JoinResult>(speaker, 'stage:join', { stageId: STAGE, role: 'speaker' });
    const transport = await ok<{ id: string }>(speaker, 'transport:create', { direction: 'send' });
    const { producerId } = await ok<{ producerId: string }>(speaker, 'producer:create', {
      transportId: transport.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8Parameters,
    });

    const onAir = (speakers: StageSpeaker[]) => speakers.some((listed) => listed.inviteId === invite.id && listed.placement === 'on-air');
    const placed = await pushedAfter<{ stageId: string; speakers: StageSpeaker[] }>(
      secondMonitor,
      'speakers:changed',
      ({ stageId, speakers }) => stageId === STAGE && onAir(speakers),
      () => first.placeSpeaker(STAGE, invite.id, 'on-air'),
    );
    expect(placed.afterMs).toBeLessThan(PUSH_WITHIN_MS);

    const taken = await pushedAfter<Program>(
      secondMonitor,
      'program:changed',
      (program) => program.main === producerId,
      () => first.call('PUT', `/api/stages/${STAGE}/program`, { main: producerId, inset: null }),
    );
    expect(taken.payload.inset).toBeNull();
    expect(taken.afterMs).toBeLessThan(PUSH_WITHIN_MS);
  });
});
