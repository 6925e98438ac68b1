import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PendingTransports } from '../../server/domain/pendingTransports.js';
import { Peer } from '../../server/domain/peer.js';
import type { StageNotifier } from '../../server/domain/stage.js';
import { StageRegistry } from '../../server/domain/stageRegistry.js';
import { MediaEngine } from '../../server/media/index.js';
import { selectRecordedTracks } from '../../server/recording/trackSelection.js';
import type { TransportOptions } from '../../shared/protocol.js';
import { freeRtcPorts, TEST_PLAIN_RTP_PORTS, waitFor } from '../helpers/server.js';
import { opusParameters } from './api-fixtures.js';

/** Stage and peer rules against a real mediasoup (two workers, a tiny consumer budget). */
describe('stage and peer logic', () => {
  const events: { to: string; event: string; args: unknown[] }[] = [];
  const notifier: StageNotifier = {
    toStage: (stageId, event, ...args) => events.push({ to: `stage:${stageId}`, event, args }),
    toPeer: (peer, event, ...args) => events.push({ to: peer.address, event, args }),
    toMonitors: (stageId, event, ...args) => events.push({ to: `monitor:${stageId}`, event, args }),
  };
  let media: MediaEngine;
  let registry: StageRegistry;
  let rtcPort: number;

  beforeAll(async () => {
    rtcPort = await freeRtcPorts(2);
    media = await MediaEngine.start(
      {
        workers: 2,
        rtc: {
          listenIp: '127.0.0.1',
          announcedIp: undefined,
          udpPort: rtcPort,
          tcpPort: rtcPort,
          minPort: TEST_PLAIN_RTP_PORTS.min,
          maxPort: TEST_PLAIN_RTP_PORTS.max,
          consumerBudgetPerWorker: 4,
        },
      },
      pino({ level: 'silent' }),
    );
    registry = new StageRegistry({
      media,
      notifier,
      logger: pino({ level: 'silent' }),
      pendingTransports: new PendingTransports({ connectTimeoutMs: 60_000, perAddress: 1000 }),
    });
  });

  afterAll(async () => {
    await registry.closeAll();
    media.close();
  });

  async function onAirStage(stageId: string) {
    const stage = registry.open(stageId);
    const source = new Peer('ingest', 'source-socket', '127.0.0.1');
    await stage.join(source);
    const tracks = await stage.openIngest(source, [
      { source: 'camera', codec: 'VP8' },
      { source: 'microphone', codec: 'opus' },
    ]);
    return { stage, source, tracks };
  }

  async function joinedViewer(stageId: string, address: string) {
    const stage = registry.open(stageId);
    const viewer = new Peer('viewer', address, '127.0.0.1');
    const joined = await stage.join(viewer);
    await stage.createTransport(viewer, { direction: 'recv' });
    return { viewer, joined };
  }

  it('puts an ingest on air and lets a viewer consume it, starting paused', async () => {
    const { stage, tracks } = await onAirStage('consume');
    expect(tracks.map((track) => track.kind).sort()).toEqual(['audio', 'video']);
    const { viewer, joined } = await joinedViewer('consume', 'viewer-1');
    expect(joined.producers).toHaveLength(2);
    expect(stage.summary()).toEqual({ id: 'consume', live: true, viewers: 1, speakers: 1 });
    const video = joined.producers.find((producer) => producer.kind === 'video')!;
    const consumer = await stage.consume(viewer, video.producerId, joined.routerRtpCapabilities);
    expect(consumer).toMatchObject({ producerId: video.producerId, kind: 'video', source: 'camera', paused: true });
    expect([...viewer.consumerIds]).toEqual([consumer.id]);
    // The viewer may resume what it consumes (another peer may not: the next case).
    await expect(stage.setConsumerPaused(viewer, consumer.id, false)).resolves.toBeUndefined();
  });

  it('refuses publishing by viewers and acting on what a peer does not own', async () => {
    const { stage, source } = await onAirStage('rules');
    const { viewer, joined } = await joinedViewer('rules', 'viewer-2');
    const other = (await joinedViewer('rules', 'viewer-3')).viewer;
    await expect(stage.createTransport(viewer, { direction: 'send' })).rejects.toMatchObject({ code: 'forbidden' });
    const [producer] = joined.producers;
    await expect(stage.closeProducer(viewer, producer!.producerId)).rejects.toMatchObject({ code: 'forbidden' });
    const consumer = await stage.consume(viewer, producer!.producerId, joined.routerRtpCapabilities);
    await expect(stage.setConsumerPaused(other, consumer.id, true)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(stage.consume(viewer, 'no-such-producer', joined.routerRtpCapabilities)).rejects.toMatchObject({ code: 'not_found' });
    const outsider = new Peer('viewer', 'outsider', '127.0.0.1');
    await expect(stage.createTransport(outsider, { direction: 'recv' })).rejects.toMatchObject({ code: 'not_joined' });
    expect(source.producerIds.size).toBe(2);
  });

  it('takes a leaving publisher off air and closes its viewers\u2019 consumers', async () => {
    const { stage, source } = await onAirStage('leave');
    const { viewer, joined } = await joinedViewer('leave', 'viewer-4');
    const consumer = await stage.consume(viewer, joined.producers[0]!.producerId, joined.routerRtpCapabilities);
    events.length = 0;
    await stage.leave(source);
    expect(events.filter((event) => event.event === 'producer:removed')).toHaveLength(2);
    await waitFor(() => events.some((event) => event.event === 'consumer:closed' && event.to === 'viewer-4'), 5000);
    expect(viewer.consumerIds.has(consumer.id)).toBe(false);
    await waitFor(() => !stage.summary().live, 2000);
  });

  it('keeps an invited speaker backstage: monitors consume them, viewers and the recording not, until taken to air', async () => {
    const stage = registry.open('green-room');
    const invite = { id: 'invite-anna', label: 'Anna Berg (keynote)' };
    const speaker = new Peer('speaker', 'anna', '127.0.0.1', invite);
    expect((await stage.join(speaker)).placement).toBe('backstage');
    await stage.openIngest(speaker, [
      { source: 'camera', codec: 'VP8' },
      { source: 'microphone', codec: 'opus' },
    ]);
    expect(stage.summary()).toMatchObject({ live: false, speakers: 1 });
    expect(stage.onAirProducers()).toEqual([]);
    const [backstage] = stage.speakers();
    expect(backstage).toMatchObject({ inviteId: invite.id, label: invite.label, placement: 'backstage', connected: true });
    expect(backstage!.producers).toHaveLength(2);
    const camera = backstage!.producers.find((producer) => producer.kind === 'video')!;

    const { viewer, joined } = await joinedViewer('green-room', 'green-viewer');
    expect(joined.producers).toEqual([]);
    await expect(stage.consume(viewer, camera.producerId, joined.routerRtpCapabilities)).rejects.toMatchObject({ code: 'not_found' });
    await expect(stage.openRecordingTap([camera.producerId])).rejects.toMatchObject({ code: 'not_found' });

    const monitor = new Peer('monitor', 'control-room', '127.0.0.1');
    const monitorJoin = await stage.join(monitor);
    expect(monitorJoin.speakers?.[0]?.producers).toHaveLength(2);
    await stage.createTransport(monitor, { direction: 'recv' });
    await expect(stage.consume(monitor, camera.producerId, monitorJoin.routerRtpCapabilities)).resolves.toMatchObject({ producerId: camera.producerId });
    expect(stage.summary()).toMatchObject({ viewers: 1, speakers: 1 });

    events.length = 0;
    await stage.placeSpeaker(invite, 'on-air');
    expect(events).toContainEqual({ to: 'anna', event: 'speaker:placement', args: [{ placement: 'on-air' }] });
    expect(events.filter((event) => event.event === 'producer:added')).toHaveLength(2);
    expect(stage.summary().live).toBe(true);
    const watched = await stage.consume(viewer, camera.producerId, joined.routerRtpCapabilities);
    const tap = await stage.openRecordingTap([camera.producerId]);
    expect(tap.tracks.map((track) => track.producerId)).toEqual([camera.producerId]);
    tap.close();

    events.length = 0;
    await stage.placeSpeaker(invite, 'backstage');
    // Closed on the server, not only announced: a viewer ignoring producer:removed gets nothing more.
    expect(events).toContainEqual({ to: 'green-viewer', event: 'consumer:closed', args: [{ consumerId: watched.id, producerId: camera.producerId }] });
    expect(viewer.consumerIds.size).toBe(0);
    expect(monitor.consumerIds.size).toBe(1);
    expect(stage.onAirProducers()).toEqual([]);
    await waitFor(() => events.some((event) => event.to === 'monitor:green-room' && event.event === 'speakers:changed'), 2000);
  });

  it('lets the control room talk to backstage: speakers backstage and other monitors hear it, viewers, speakers on air and the recording never', async () => {
    const stage = registry.open('talk-back');
    const invite = { id: 'invite-lena', label: 'Lena' };
    const speaker = new Peer('speaker', 'lena', '127.0.0.1', invite);
    const speakerJoin = await stage.join(speaker);
    expect(speakerJoin).toMatchObject({ placement: 'backstage', talkback: [] });
    await stage.createTransport(speaker, { direction: 'recv' });
    const { viewer, joined: viewerJoin } = await joinedViewer('talk-back', 'talk-back-viewer');
    expect(viewerJoin.talkback).toBeUndefined();
    const technician = new Peer('monitor', 'technician', '127.0.0.1');
    await stage.join(technician);
    const send = await stage.createTransport(technician, { direction: 'send' });
    await expect(stage.produce(technician, { transportId: send.id, kind: 'video', source: 'camera', rtpParameters: opusParameters })).rejects.toMatchObject({
      code: 'invalid_payload',
    });

    events.length = 0;
    const talkbackId = await stage.produce(technician, { transportId: send.id, kind: 'audio', source: 'microphone', rtpParameters: opusParameters });
    const talking = { producers: [{ producerId: talkbackId, peerId: technician.id }] };
    expect(events).toContainEqual({ to: 'lena', event: 'talkback:changed', args: [talking] });
    expect(events).toContainEqual({ to: 'monitor:talk-back', event: 'talkback:changed', args: [talking] });
    const toAudience = (event: (typeof events)[number]) => event.to === 'talk-back-viewer' || event.to === 'stage:talk-back';
    expect(events.filter((event) => toAudience(event) && JSON.stringify(event.args).includes(talkbackId))).toEqual([]);
    // Never on air: not for viewers, and not for the recorder, which picks from what is on air and taps only that.
    expect(stage.onAirProducers()).toEqual([]);
    expect(stage.summary()).toMatchObject({ live: false, viewers: 1, speakers: 1 });
    expect(selectRecordedTracks(stage.onAirProducers(), stage.currentProgram())).toBeUndefined();
    await expect(stage.openRecordingTap([talkbackId])).rejects.toMatchObject({ code: 'not_found' });
    await expect(stage.consume(viewer, talkbackId, viewerJoin.routerRtpCapabilities)).rejects.toMatchObject({ code: 'not_found' });

    const heard = await stage.consume(speaker, talkbackId, speakerJoin.routerRtpCapabilities, { flowing: true });
    expect(heard).toMatchObject({ producerId: talkbackId, kind: 'audio', paused: false });
    const colleague = new Peer('monitor', 'colleague', '127.0.0.1');
    const colleagueJoin = await stage.join(colleague);
    expect(colleagueJoin.talkback).toEqual(talking.producers);
    await stage.createTransport(colleague, { direction: 'recv' });
    await expect(stage.consume(colleague, talkbackId, colleagueJoin.routerRtpCapabilities)).resolves.toMatchObject({ producerId: talkbackId });

    // On air the speaker's microphone would carry the control room's voice to the audience: they stop hearing it.
    events.length = 0;
    await stage.placeSpeaker(invite, 'on-air');
    expect(events).toContainEqual({ to: 'lena', event: 'talkback:changed', args: [{ producers: [] }] });
    expect(events).toContainEqual({ to: 'lena', event: 'consumer:closed', args: [{ consumerId: heard.id, producerId: talkbackId }] });
    expect(speaker.consumerIds.size).toBe(0);
    expect(colleague.consumerIds.size).toBe(1);
    await expect(stage.consume(speaker, talkbackId, speakerJoin.routerRtpCapabilities)).rejects.toMatchObject({ code: 'not_found' });

    await stage.placeSpeaker(invite, 'backstage');
    events.length = 0;
    await stage.closeProducer(technician, talkbackId);
    expect(events).toContainEqual({ to: 'lena', event: 'talkback:changed', args: [{ producers: [] }] });
    expect(events.some((event) => event.event === 'producer:removed')).toBe(false);
  });

  it('keeps a speaker’s place through a dropped connection, and sends them backstage when they stop', async () => {
    const stage = registry.open('green-room-rejoin');
    const invite = { id: 'invite-omar', label: 'Omar' };
    const first = new Peer('speaker', 'omar-1', '127.0.0.1', invite);
    await stage.join(first);
    await stage.placeSpeaker(invite, 'on-air');
    await stage.leave(first);
    expect(stage.speakers()).toEqual([{ inviteId: invite.id, label: 'Omar', placement: 'on-air', connected: false, producers: [] }]);
    const second = new Peer('speaker', 'omar-2', '127.0.0.1', invite);
    expect((await stage.join(second)).placement).toBe('on-air');
    await stage.leave(second, { deliberate: true });
    expect(stage.speakers()).toEqual([]);
    expect((await stage.join(new Peer('speaker', 'omar-3', '127.0.0.1', invite))).placement).toBe('backstage');
  });

  it('spreads a stage over both workers from its second viewer on, long before the budget is spent', async () => {
    await registry.closeAll();
    expect((await media.workerStats()).map((worker) => worker.consumers)).toEqual([0, 0]);
    const { stage } = await onAirStage('fanout');
    const viewers = [];
    // Two viewers of two tracks fit the source worker's budget of 4; the second goes elsewhere all the same.
    for (let i = 0; i < 2; i++) viewers.push(await joinedViewer('fanout', `fan-${i}`));
    for (const { viewer, joined } of viewers) {
      for (const producer of joined.producers) await stage.consume(viewer, producer.producerId, joined.routerRtpCapabilities);
    }
    const stats = await media.workerStats();
    expect(stats.every((worker) => worker.consumers > 0)).toBe(true);
    expect(stats.map((worker) => worker.consumers)).toEqual([2, 2]);
  });

  it('serves every viewer on its worker’s one UDP and one TCP port (RTC_PORT + worker), TCP alone when forced', async () => {
    await onAirStage('ports');
    const stage = registry.open('ports');
    const offered: TransportOptions['iceCandidates'] = [];
    for (let i = 0; i < 6; i++) {
      const viewer = new Peer('viewer', `port-viewer-${i}`, '127.0.0.1');
      await stage.join(viewer);
      offered.push(...(await stage.createTransport(viewer, { direction: 'recv', forceTcp: i === 5 })).iceCandidates);
    }
    const ports = (protocol: string) => new Set(offered.filter((c) => c.protocol === protocol).map((c) => c.port));
    expect(ports('udp')).toEqual(new Set([rtcPort, rtcPort + 1]));
    expect(ports('tcp')).toEqual(new Set([rtcPort, rtcPort + 1]));
    expect(offered.filter((c) => c.protocol === 'udp')).toHaveLength(5);
  });

  it('holds a publisher on standby off air with its pause state, and tells listeners those changes are a feed switch', async () => {
    const { stage, source } = await onAirStage('standby');
    const video = stage.onAirProducers().find((producer) => producer.kind === 'video')!;
    const changes: string[] = [];
    stage.onChange((change) => changes.push(change));

    await stage.setStandby(source, true);
    expect({ onAir: stage.onAirProducers(), publisherOnAir: stage.hasOnAir(source), live: stage.summary().live }).toEqual({
      onAir: [],
      publisherOnAir: false,
      live: false,
    });
    // Paused while waiting (a speaker's camera off): it goes back on air paused, not live.
    await stage.setProducerPaused(source, video.producerId, true);
    await stage.setStandby(source, false);
    expect(stage.hasOnAir(source)).toBe(true);
    expect(stage.onAirProducers().map((producer) => [producer.kind, producer.paused])).toEqual([
      ['video', true],
      ['audio', false],
    ]);
    expect(changes).toEqual(['feed-switch', 'feed-switch', 'on-air', 'feed-switch', 'feed-switch']);
  });

  it('tells clients to reconnect when a worker dies, and the stage works again on its replacement', async () => {
    const { stage } = await onAirStage('recover');
    const before = await media.workerStats();
    events.length = 0;
    for (const worker of before) process.kill(worker.pid, 'SIGKILL');
    await waitFor(() => events.some((event) => event.to === 'stage:recover' && event.event === 'stage:reconnect'), 5000);
    await waitFor(() => media.workersAlive() === 2, 10_000);
    const after = await media.workerStats();
    expect(after.map((worker) => worker.pid)).not.toEqual(before.map((worker) => worker.pid));
    expect(stage.summary().live).toBe(false);
    const source = new Peer('ingest', 'source-again', '127.0.0.1');
    await stage.join(source);
    await stage.openIngest(source, [{ source: 'camera', codec: 'VP8' }]);
    expect(stage.summary().live).toBe(true);
  });
});
