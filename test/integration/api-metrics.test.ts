import { networkInterfaces } from 'node:os';
import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../shared/protocol.js';
import { NodeViewer } from '../../scripts/bench/nodeViewer.js';
import { metricValue, parsePrometheusText, type MetricSample, workerMetrics } from '../../scripts/bench/serverMetrics.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { apiCaller, type Caller, expectError } from './api-fixtures.js';

const TOKEN = 'metrics-token-for-the-tests-0123456789';
const WORKERS = 2;

describe('GET /metrics with METRICS_TOKEN', () => {
  let server: RunningServer;
  let call: Caller;
  const viewers: NodeViewer[] = [];

  const scrape = async (): Promise<MetricSample[]> => {
    const answer = await call<string>('GET', '/metrics', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(answer.status, answer.text).toBe(200);
    return parsePrometheusText(answer.text);
  };
  const totalConsumers = (samples: MetricSample[]) => workerMetrics(samples).reduce((sum, worker) => sum + worker.consumers, 0);

  beforeAll(async () => {
    server = await startServer({ DEMO: '1', METRICS_TOKEN: TOKEN, MEDIASOUP_WORKERS: String(WORKERS) });
    call = apiCaller(server);
    // The demo on air and its recording running: the consumers the recorder takes are then in the baseline.
    await waitFor(
      async () => metricValue(await scrape(), 'estrad_recordings_active') === 1,
      30_000,
      () => `the demo was not recorded:\n${server.logs()}`,
    );
  });

  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    cleanupDataChannels();
    expect(await server?.stop()).toBe(0);
  });

  it('refuses requests without the token or with a wrong one, even from this machine', async () => {
    const missing = await call('GET', '/metrics');
    expectError(missing, 401, 'unauthorized', 'METRICS_TOKEN', 'Authorization: Bearer');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectError(await call('GET', '/metrics', undefined, { authorization: 'Bearer not-the-token-at-all' }), 401, 'unauthorized');
    expectError(await call('GET', '/metrics', undefined, { authorization: TOKEN }), 401, 'unauthorized');
  });

  it('exports every worker, the live stage, the running recording and the Node defaults', async () => {
    const answer = await call<string>('GET', '/metrics', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheusText(answer.text);
    const workers = workerMetrics(samples);
    expect(workers.map((worker) => worker.worker)).toEqual(['0', '1']);
    for (const worker of workers) {
      expect(worker.up).toBe(true);
      expect(worker.pid).toBeGreaterThan(0);
      expect(worker.cpuSeconds).toBeGreaterThan(0);
    }
    expect(metricValue(samples, 'estrad_stages_live')).toBe(1);
    expect(metricValue(samples, 'estrad_recordings_active')).toBe(1);
    const recordings = await call<{ recordings: RecordingInfo[] }>('GET', '/api/recordings?stage=demo');
    expect(recordings.body.recordings.filter((recording) => recording.status === 'recording')).toHaveLength(1);
    expect(metricValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metricValue(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts a viewer: its two consumers on a worker and its place on the stage, until it leaves', async () => {
    const before = await scrape();
    expect(metricValue(before, 'estrad_stage_viewers', { stage: 'demo' })).toBe(0);
    // The demo source is a speaker: it publishes over ingest.
    expect(metricValue(before, 'estrad_stage_speakers', { stage: 'demo' })).toBe(1);

    const viewer = new NodeViewer();
    viewers.push(viewer);
    await viewer.connect(server.url, 'demo');
    await waitFor(
      () => viewer.stats().video.packets > 0,
      15_000,
      () => `the viewer received no video: ${JSON.stringify(viewer.stats())}`,
    );
    const watching = await scrape();
    expect(totalConsumers(watching) - totalConsumers(before)).toBe(2);
    expect(metricValue(watching, 'estrad_stage_viewers', { stage: 'demo' })).toBe(1);
    // CPU time is a counter: it can only grow while the same workers run.
    workerMetrics(watching).forEach((worker, index) => expect(worker.cpuSeconds).toBeGreaterThanOrEqual(workerMetrics(before)[index]!.cpuSeconds));

    viewer.close();
    await waitFor(
      async () => {
        const after = await scrape();
        return totalConsumers(after) === totalConsumers(before) && metricValue(after, 'estrad_stage_viewers', { stage: 'demo' }) === 0;
      },
      10_000,
      () => 'the viewer who left is still counted',
    );
  });
});

/** This machine's own address on a real interface, to reach the server other than over loopback. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

describe('GET /metrics without METRICS_TOKEN', () => {
  let server: RunningServer;
  let call: Caller;

  beforeAll(async () => {
    // Every interface, so the refusal of a non-loopback client can be seen.
    server = await startServer({ HOST: '0.0.0.0', MEDIASOUP_WORKERS: '1' });
    call = apiCaller(server);
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('answers this machine over loopback', async () => {
    const answer = await call<string>('GET', '/metrics');
    expect(answer.status, answer.text).toBe(200);
    expect(workerMetrics(parsePrometheusText(answer.text))).toHaveLength(1);
  });

  it('refuses a request a local proxy forwarded, whoever it came from', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      expectError(await call('GET', '/metrics', undefined, { [header]: '203.0.113.7' }), 403, 'forbidden', 'METRICS_TOKEN');
    }
  });

  it('refuses a request from another address than loopback', async () => {
    if (!outsideAddress)
      throw new Error('this test needs an IPv4 address on a non-loopback interface, to reach the server other than over loopback; none was found');
    const response = await fetch(`http://${outsideAddress}:${server.port}/metrics`);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect({ status: response.status, code: body.error.code }).toEqual({ status: 403, code: 'forbidden' });
    expect(body.error.message).toContain('only this machine');
  });
});
