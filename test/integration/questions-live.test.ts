import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/protocol.js';
import type { AttendeeQuestions, ModeratorQuestionBoard, Poll, PollBoard, PublicQuestion, PublicQuestionBoard } from '../../shared/questions.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from './api-fixtures.js';

const STAGE = 'qa-a';

/** An attendee on the watch page: joined as a viewer, with the board and their own questions as last pushed. */
interface Attendee {
  socket: RawSocket;
  board: PublicQuestionBoard | undefined;
  mine: AttendeeQuestions | undefined;
  boardsReceived: PublicQuestionBoard[];
}

async function attend(server: RunningServer, viewerKey: string): Promise<Attendee> {
  const socket = await connect(server.url, { viewerKey });
  const attendee: Attendee = { socket, board: undefined, mine: undefined, boardsReceived: [] };
  socket.on('questions:board', (board: PublicQuestionBoard) => {
    attendee.board = board;
    attendee.boardsReceived.push(board);
  });
  socket.on('questions:mine', (mine: AttendeeQuestions) => (attendee.mine = mine));
  expect((await request(socket, 'stage:join', { stageId: STAGE, role: 'viewer' })).ok).toBe(true);
  const listed = await request<{ board: PublicQuestionBoard; mine: AttendeeQuestions }>(socket, 'questions:list', {});
  if (!listed.ok) throw new Error(listed.error.message);
  attendee.board ??= listed.data.board;
  attendee.mine = listed.data.mine;
  return attendee;
}

function data<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

/** CPU seconds (user + system) the process has used so far, from /proc (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('audience questions live over signalling', () => {
  let server: RunningServer;
  let technician: Awaited<ReturnType<typeof technicianClient>>;
  let moderator: RawSocket;
  let moderation: ModeratorQuestionBoard | undefined;
  const attendees: Attendee[] = [];

  /**
   * A technician's moderation, each on a connection of its own: under the crowd's load this
   * process's timers run late, and a kept-alive connection reused just as the server closes it
   * (idle for its 5 s) fails the request before it is sent.
   */
  const moderate = (questionId: string, body: unknown) =>
    new Promise<void>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const call = httpRequest(
        `${server.url}/api/stages/${STAGE}/questions/${questionId}/actions`,
        {
          method: 'POST',
          agent: false,
          headers: { cookie: technician.cookie, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (response) => {
          response.resume();
          response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`moderation answered ${response.statusCode}`))));
        },
      );
      call.on('error', reject);
      call.end(payload);
    });
  const publicBoard = () => technician.call<PublicQuestionBoard>('GET', `/api/stages/${STAGE}/questions/public`);

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '0', QUESTION_RATE_LIMIT_PER_MINUTE: '10000', QUESTION_GROUP_SIZE_MAX: '5' });
    technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('qa-day', 'public', [STAGE, 'qa-b']));
    moderator = await connect(server.url, {}, { extraHeaders: { cookie: technician.cookie } });
    moderator.on('questions:moderation', (board: ModeratorQuestionBoard) => (moderation = board));
    moderation = data(await request<ModeratorQuestionBoard>(moderator, 'questions:moderate', { stageId: STAGE }));
  });

  afterAll(async () => {
    for (const attendee of attendees) attendee.socket.disconnect();
    moderator?.disconnect();
    expect(await server?.stop()).toBe(0);
  });

  it('shows a question to other attendees only once approved, tells the asker, and refuses moderation to attendees', async () => {
    const [asker, other] = await Promise.all([attend(server, 'asker-browser-1'), attend(server, 'other-browser-1')]);
    attendees.push(asker, other);
    const asked = data(await request<PublicQuestion>(asker.socket, 'questions:ask', { text: 'Hur når vi unga som inte söker hjälp?', authorName: 'Sara' }));
    expect(asked.status).toBe('pending');
    await waitFor(
      () => moderation?.questions.some((question) => question.id === asked.id) ?? false,
      5000,
      () => 'the moderator never saw the question',
    );
    // The moderator's push went out; the attendees' board push of the same change went with it, without the question.
    await waitFor(
      () => other.boardsReceived.length > 0,
      5000,
      () => 'the other attendee got no board push',
    );
    expect(JSON.stringify(other.boardsReceived)).not.toContain(asked.id);
    expect(asker.mine?.asked.map(({ id, status }) => ({ id, status }))).toEqual([{ id: asked.id, status: 'pending' }]);

    const refused = await request(other.socket, 'questions:moderate', { stageId: STAGE });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Not approved yet: to other attendees it does not exist.
    expect(await request(other.socket, 'questions:vote', { questionId: asked.id, vote: true })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    await moderate(asked.id, { action: 'approve' });
    await waitFor(
      () => other.board?.questions.some((question) => question.id === asked.id) ?? false,
      5000,
      () => 'the approved question never reached the other attendee',
    );
    // Nothing of who asked reaches the others but the name they chose to give.
    const shown = other.board!.questions.find((question) => question.id === asked.id)!;
    expect(Object.keys(shown).sort()).toEqual(['authorName', 'createdAt', 'edited', 'id', 'status', 'talkId', 'text', 'votes']);
    await waitFor(
      () => asker.mine?.asked[0]?.status === 'approved',
      5000,
      () => `the asker was not told: ${JSON.stringify(asker.mine)}`,
    );

    await moderate(asked.id, { action: 'decline' });
    await waitFor(
      () => !(other.board?.questions.some((question) => question.id === asked.id) ?? true),
      5000,
      () => 'a declined question stayed with attendees',
    );
  });

  it('takes a merged question away from every attendee, its votes and "we are N" going to the survivor once each', async () => {
    const [asker, both, group] = await Promise.all(['merge-asker-1', 'merge-both-1', 'merge-group-1'].map((key) => attend(server, key)));
    attendees.push(asker!, both!, group!);
    const asked: PublicQuestion[] = [];
    for (const text of ['Vad kostar satsningen?', 'Vad kostar det här?'])
      asked.push(data(await request<PublicQuestion>(asker!.socket, 'questions:ask', { text })));
    for (const question of asked) await moderate(question.id, { action: 'approve' });
    const [kept, merged] = asked as [PublicQuestion, PublicQuestion];
    for (const question of [kept, merged]) data(await request(both!.socket, 'questions:vote', { questionId: question.id, vote: true }));
    data(await request(group!.socket, 'questions:group', { size: 3 }));
    data(await request(group!.socket, 'questions:vote', { questionId: merged.id, vote: true }));

    await moderate(merged.id, { action: 'merge', into: kept.id });
    for (const attendee of [asker!, both!, group!]) {
      await waitFor(
        () => {
          const shown = attendee.board?.questions ?? [];
          // "both" once, and the group of 3 that voted only for the duplicate.
          return !shown.some((question) => question.id === merged.id) && shown.find((question) => question.id === kept.id)?.votes === 4;
        },
        5000,
        () => `an attendee still sees the merged question, or the survivor's votes are wrong: ${JSON.stringify(attendee.board?.questions)}`,
      );
    }
    await waitFor(
      () => asker!.mine?.asked.find((question) => question.id === merged.id)?.status === 'merged',
      5000,
      () => `the asker was not told of the merge: ${JSON.stringify(asker!.mine)}`,
    );
    await waitFor(
      () => moderation?.questions.find((question) => question.id === merged.id)?.mergedInto === kept.id,
      5000,
      () => 'the moderators were not shown the merged question pointing to the survivor',
    );
  });

  it('keeps one vote per attendee across reconnects and reloads', async () => {
    const first = await attend(server, 'voter-browser-1');
    const asked = data(await request<PublicQuestion>(first.socket, 'questions:ask', { text: 'Räknas min röst två gånger?' }));
    await moderate(asked.id, { action: 'approve' });
    expect(data(await request(first.socket, 'questions:vote', { questionId: asked.id, vote: true }))).toEqual({});
    first.socket.disconnect();

    // The page reloaded: a new connection with the key the browser kept.
    const again = await attend(server, 'voter-browser-1');
    attendees.push(again);
    expect(again.mine?.votedFor).toContain(asked.id);
    expect(data(await request(again.socket, 'questions:vote', { questionId: asked.id, vote: true }))).toEqual({});
    // "We are 9 here", capped at the configured 5: the one vote now weighs 5.
    expect(data(await request(again.socket, 'questions:group', { size: 9 }))).toEqual({ groupSize: 5 });
    const board = await publicBoard();
    expect(board.questions.find((question) => question.id === asked.id)?.votes).toBe(5);
    await waitFor(
      () => again.board?.questions.find((question) => question.id === asked.id)?.votes === 5,
      5000,
      () => 'the new vote weight was not pushed',
    );
  });

  it('takes one poll ballot per attendee across reloads and pushes the results to everyone on the stage', async () => {
    const [voter, watcher] = await Promise.all([attend(server, 'poll-voter-1'), attend(server, 'poll-watcher-1')]);
    attendees.push(voter, watcher);
    let results: PollBoard | undefined;
    watcher.socket.on('polls:board', (board: PollBoard) => (results = board));
    const poll = await technician.call<Poll>('POST', `/api/stages/${STAGE}/polls`, { question: 'Var bor du?', options: ['Stad', 'Landsbygd'] });
    await waitFor(
      () => results?.polls[0]?.id === poll.id,
      5000,
      () => 'the opened poll was not pushed',
    );

    expect(data(await request(voter.socket, 'polls:vote', { pollId: poll.id, options: [1] }))).toEqual({});
    await waitFor(
      () => results?.polls[0]?.options[1]?.votes === 1,
      5000,
      () => `the result was not pushed: ${JSON.stringify(results)}`,
    );
    voter.socket.disconnect();
    const reloaded = await attend(server, 'poll-voter-1');
    attendees.push(reloaded);
    expect(data(await request<{ ballots: Record<string, number[]> }>(reloaded.socket, 'polls:list', {})).ballots).toEqual({ [poll.id]: [1] });
    expect(await request(reloaded.socket, 'polls:vote', { pollId: poll.id, options: [0] })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((await technician.call<PollBoard>('GET', `/api/stages/${STAGE}/polls`)).polls[0]).toMatchObject({ ballots: 1 });
  });

  it('takes 300 attendees asking and voting for 20 s: every question stored once, votes exact, one final order for all', async () => {
    const crowd = await Promise.all(Array.from({ length: 300 }, (_, index) => attend(server, `crowd-browser-${index}`)));
    attendees.push(...crowd);
    const acceptedQuestions = new Set<string>();
    const acceptedVotes = new Map<string, number>();
    const refusals = new Map<string, number>();
    const votable = new Set<string>();
    const moderatorBoard = () => technician.call<ModeratorQuestionBoard>('GET', `/api/stages/${STAGE}/questions`);
    const before = (await moderatorBoard()).questions.map((question) => question.id);
    const runMs = 20_000;
    const cpuBefore = cpuSeconds(server.process.pid!);
    const started = Date.now();

    let crowdDone = false;
    // The technician approves whatever arrives, twice a second (a pace, as a person would, not a
    // wait), until the crowd has stopped and every accepted question is approved.
    const approving = (async () => {
      for (;;) {
        const pending = (moderation?.questions ?? []).filter((question) => question.status === 'pending' && acceptedQuestions.has(question.id));
        if (crowdDone && [...acceptedQuestions].every((id) => votable.has(id))) return;
        await Promise.all(
          pending.map(async (question) => {
            await moderate(question.id, { action: 'approve' });
            votable.add(question.id);
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    const refuse = (ack: Ack<unknown>) => {
      if (!ack.ok) refusals.set(ack.error.code, (refusals.get(ack.error.code) ?? 0) + 1);
      return ack.ok;
    };
    await Promise.all(
      crowd.map(async (attendee, index) => {
        const votedFor = new Set<string>();
        // Each attendee acts about once a second, at its own moment.
        await new Promise((resolve) => setTimeout(resolve, (index * 37) % 1000));
        while (Date.now() - started < runMs) {
          const candidates = [...votable].filter((id) => !votedFor.has(id));
          if (candidates.length === 0 || Math.random() < 0.03) {
            const ack = await request<PublicQuestion>(attendee.socket, 'questions:ask', { text: `Fråga ${index}-${Date.now()}` });
            if (refuse(ack) && ack.ok) acceptedQuestions.add(ack.data.id);
          } else {
            const questionId = candidates[Math.floor(Math.random() * candidates.length)]!;
            votedFor.add(questionId);
            if (refuse(await request(attendee.socket, 'questions:vote', { questionId, vote: true }))) {
              acceptedVotes.set(questionId, (acceptedVotes.get(questionId) ?? 0) + 1);
            }
          }
          // The attendee's pace between actions, not a wait for anything.
          await new Promise((resolve) => setTimeout(resolve, 800 + Math.random() * 400));
        }
      }),
    );
    const elapsedSeconds = (Date.now() - started) / 1000;
    const cpuUsed = cpuSeconds(server.process.pid!) - cpuBefore;
    crowdDone = true;
    await approving;

    // Every accepted question is stored once (the moderators see every stored question).
    const stored = (await moderatorBoard()).questions.filter((question) => !before.includes(question.id));
    expect(stored.map((question) => question.id).sort()).toEqual([...acceptedQuestions].sort());
    expect(new Set(stored.map((question) => question.text)).size).toBe(stored.length);
    const final = await publicBoard();
    const fresh = final.questions.filter((question) => acceptedQuestions.has(question.id));
    expect(fresh).toHaveLength(acceptedQuestions.size);
    for (const question of fresh) expect(question.votes, `votes of ${question.id}`).toBe(acceptedVotes.get(question.id) ?? 0);
    await waitFor(
      () => crowd.every((attendee) => JSON.stringify(attendee.board) === JSON.stringify(final)),
      15_000,
      () => `${crowd.filter((attendee) => JSON.stringify(attendee.board) !== JSON.stringify(final)).length} attendees see another board than the server's`,
    );
    const votes = [...acceptedVotes.values()].reduce((sum, count) => sum + count, 0);
    console.log(
      `questions load: 300 attendees for ${elapsedSeconds.toFixed(1)} s: ${(acceptedQuestions.size / elapsedSeconds).toFixed(1)} questions/s and ` +
        `${(votes / elapsedSeconds).toFixed(1)} votes/s accepted; refused ${JSON.stringify(Object.fromEntries(refusals))}; ` +
        `server CPU ${(cpuUsed / elapsedSeconds).toFixed(2)} of a core (${cpuUsed.toFixed(1)} s)`,
    );
    expect(refusals.size, `refusals: ${JSON.stringify(Object.fromEntries(refusals))}`).toBe(0);
    expect(votes).toBeGreaterThan(1000);
  }, 120_000);
});
