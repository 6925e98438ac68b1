import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertsResponse, WebhookBody, WebhookDelivery, WebhookInfo } from '../../shared/health.js';
import type { AuditLogResponse, InviteResponse, RegistrationResponse } from '../../shared/protocol.js';
import { webhookSignature } from '../../server/health/webhookDispatcher.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { startWebhookReceiver } from '../helpers/webhookReceiver.js';
import { type Caller, expectError, programmeDocument } from '../integration/api-fixtures.js';

const SECRET = 'a-secret-of-the-technicians-tool';

function raiseWorkerAlert(server: ApiServer, pid: number): Alert {
  const alert = server.alerts.raise({
    kind: 'worker_restarted',
    severity: 'critical',
    stageId: null,
    subject: `worker:0:${pid}`,
    message: `mediasoup worker 0 (pid ${pid}) died and was replaced.`,
    details: { worker: 0, pid },
  });
  if (!alert) throw new Error('the alert was not raised');
  return alert;
}

describe('alerts and webhooks in the control room API', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  const receivers: { close(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    server = await startApiServer(TECHNICIAN_ENV);
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    expect((await asTechnician('POST', '/api/programme', programmeDocument('open-day', 'public', ['open-a', 'open-b']))).status).toBe(201);
  });

  afterEach(async () => {
    for (const webhook of (await asTechnician<{ webhooks: WebhookInfo[] }>('GET', '/api/webhooks')).body.webhooks) {
      await asTechnician('DELETE', `/api/webhooks/${webhook.id}`);
    }
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lists an alert until it is acknowledged, pushes each change, and logs who acknowledged it', async () => {
    const alert = raiseWorkerAlert(server, 1001);
    // The same trouble while it is open is not raised again.
    expect(server.alerts.raise({ ...alert, details: alert.details })).toBeUndefined();
    const open = await asTechnician<AlertsResponse>('GET', '/api/alerts');
    expect(open.status, open.text).toBe(200);
    expect(open.body.alerts).toEqual([alert]);

    server.alerts.clear('worker_restarted', 'worker:0:1001');
    const cleared = (await asTechnician<AlertsResponse>('GET', '/api/alerts')).body.alerts;
    expect(cleared).toEqual([{ ...alert, clearedAt: expect.any(String) }]);

    const acknowledged = await asTechnician<Alert>('POST', `/api/alerts/${alert.id}/acknowledge`);
    expect(acknowledged.status, acknowledged.text).toBe(200);
    expect(acknowledged.body).toMatchObject({ id: alert.id, acknowledgedBy: 'tech', acknowledgedAt: expect.any(String) });
    expect((await asTechnician<AlertsResponse>('GET', '/api/alerts')).body.alerts).toEqual([]);
    expect((await asTechnician<AlertsResponse>('GET', '/api/alerts?state=all')).body.alerts).toEqual([acknowledged.body]);
    // Again: nothing changes, the first acknowledgement stands.
    expect((await asTechnician<Alert>('POST', `/api/alerts/${alert.id}/acknowledge`)).body).toEqual(acknowledged.body);
    expect(server.alertPushes.filter((pushed) => pushed.id === alert.id).map((pushed) => [pushed.clearedAt !== null, pushed.acknowledgedBy])).toEqual([
      [false, null],
      [true, null],
      [true, 'tech'],
    ]);
    const audit = (await asTechnician<AuditLogResponse>('GET', '/api/audit-log')).body.entries[0];
    expect(audit).toMatchObject({ username: 'tech', action: 'POST /api/alerts/:alertId/acknowledge', subject: { alertId: alert.id } });

    // Once acknowledged, the same trouble again is a new alert.
    expect(server.alerts.raise({ ...alert, details: alert.details })?.id).not.toBe(alert.id);
    expectError(await asTechnician('POST', '/api/alerts/no-such-alert/acknowledge'), 404, 'not_found');
    expectError(await asTechnician('GET', '/api/alerts?state=some'), 400, 'invalid_payload', 'state');
  });

  it('delivers an alert to a webhook, signed with HMAC-SHA256 over the body, and tries again after a failure', async () => {
    const receiver = await startWebhookReceiver([503]);
    receivers.push(receiver);
    const created = await asTechnician<WebhookInfo>('POST', '/api/webhooks', { url: receiver.url, secret: SECRET });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), url: receiver.url, createdBy: 'tech', createdAt: expect.any(String), lastDelivery: null });
    expect(created.text).not.toContain(SECRET);

    const alert = raiseWorkerAlert(server, 2002);
    await waitFor(
      () => receiver.received.length >= 2,
      10_000,
      () => `the receiver got ${receiver.received.length} requests`,
    );
    const [first, second] = receiver.received;
    expect(second!.body).toBe(first!.body);
    const body = JSON.parse(second!.body) as WebhookBody;
    expect(body).toEqual({ id: expect.any(String), event: 'alert.raised', sentAt: expect.any(String), alert });
    for (const { headers, body: text } of [first!, second!]) {
      expect(headers['x-estrad-signature']).toBe(webhookSignature(SECRET, text));
      expect(headers['x-estrad-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(headers['x-estrad-event']).toBe('alert.raised');
      expect(headers['x-estrad-delivery']).toBe(body.id);
    }
    expect(webhookSignature('another-secret-entirely', second!.body)).not.toBe(second!.headers['x-estrad-signature']);

    const deliveries = async () =>
      (await asTechnician<{ deliveries: WebhookDelivery[] }>('GET', `/api/webhooks/${created.body.id}/deliveries`)).body.deliveries;
    await waitFor(async () => (await deliveries())[0]?.status === 'delivered', 5_000);
    expect(await deliveries()).toEqual([
      expect.objectContaining({
        id: body.id,
        event: 'alert.raised',
        status: 'delivered',
        attempts: 2,
        lastStatusCode: 200,
        lastError: null,
        nextAttemptAt: null,
      }),
    ]);
    const listed = (await asTechnician<{ webhooks: WebhookInfo[] }>('GET', '/api/webhooks')).body.webhooks;
    expect(listed.map((webhook) => webhook.lastDelivery?.status)).toEqual(['delivered']);
  });

  it('says why a delivery is being tried again, and sends a test delivery on request', async () => {
    const receiver = await startWebhookReceiver([500, 500, 500, 500]);
    receivers.push(receiver);
    const created = await asTechnician<WebhookInfo>('POST', '/api/webhooks', { url: receiver.url, secret: SECRET });
    const test = await asTechnician<WebhookDelivery>('POST', `/api/webhooks/${created.body.id}/test`);
    expect(test.status, test.text).toBe(202);
    expect(test.body).toMatchObject({ event: 'webhook.test', status: 'pending', attempts: 0 });
    await waitFor(() => receiver.received.length >= 2, 10_000);
    const delivery = (await asTechnician<{ deliveries: WebhookDelivery[] }>('GET', `/api/webhooks/${created.body.id}/deliveries`)).body.deliveries[0]!;
    expect(delivery).toMatchObject({ id: test.body.id, status: 'pending', lastStatusCode: 500, lastError: expect.stringContaining('answered 500') });
    expect(Date.parse(delivery.nextAttemptAt!)).toBeGreaterThan(Date.parse(delivery.lastAttemptAt!));
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ event: 'webhook.test', alert: null });
  });

  it('refuses a webhook without an http(s) address or with a short secret, changing nothing', async () => {
    const before = snapshotDatabase(server.dataDir);
    expectError(await asTechnician('POST', '/api/webhooks', { url: 'ftp://example.com/hook', secret: SECRET }), 400, 'invalid_payload', 'url');
    expectError(await asTechnician('POST', '/api/webhooks', { url: 'not a url', secret: SECRET }), 400, 'invalid_payload', 'url');
    expectError(await asTechnician('POST', '/api/webhooks', { url: 'https://example.com/hook', secret: 'short' }), 400, 'invalid_payload', 'secret');
    expectError(await asTechnician('DELETE', '/api/webhooks/no-such-webhook'), 404, 'not_found');
    expectError(await asTechnician('GET', '/api/webhooks/no-such-webhook/deliveries'), 404, 'not_found');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('refuses alerts and webhooks to anonymous callers, viewers and speakers, and a change from another site, changing nothing', async () => {
    const alert = raiseWorkerAlert(server, 3003);
    const registration = await anonymous<RegistrationResponse>('POST', '/api/registrations', { eventId: 'open-day', name: 'Lena', email: 'lena@example.se' });
    const invite = await asTechnician<InviteResponse>('POST', '/api/stages/open-a/invites', { label: 'Anna' });
    expect([registration.status, invite.status]).toEqual([201, 201]);
    const webhook = (await asTechnician<WebhookInfo>('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', secret: SECRET })).body;
    const callers: Record<string, Caller> = {
      anonymous,
      viewer: injectCaller(server, { 'x-estrad-access': registration.body.token, cookie: `estrad_access=${registration.body.token}` }),
      speaker: injectCaller(server, { 'x-estrad-invite': invite.body.token }),
    };
    const actions: [string, string, unknown?][] = [
      ['GET', '/api/alerts'],
      ['POST', `/api/alerts/${alert.id}/acknowledge`],
      ['GET', '/api/webhooks'],
      ['POST', '/api/webhooks', { url: 'https://example.com/hook', secret: SECRET }],
      ['DELETE', `/api/webhooks/${webhook.id}`],
      ['GET', `/api/webhooks/${webhook.id}/deliveries`],
      ['POST', `/api/webhooks/${webhook.id}/test`],
    ];
    const before = snapshotDatabase(server.dataDir);
    for (const [who, caller] of Object.entries(callers)) {
      for (const [method, path, body] of actions) {
        const answer = await caller(method, path, body);
        expect({ who, method, path, status: answer.status }).toEqual({ who, method, path, status: 401 });
        expectError(answer, 401, 'unauthorized');
      }
    }
    const crossSite = { origin: 'https://evil.example' };
    expectError(await asTechnician('POST', `/api/alerts/${alert.id}/acknowledge`, undefined, crossSite), 403, 'forbidden', 'another site');
    expectError(await asTechnician('POST', '/api/webhooks', { url: 'https://evil.example/hook', secret: SECRET }, crossSite), 403, 'forbidden');
    expectError(await asTechnician('DELETE', `/api/webhooks/${webhook.id}`, undefined, crossSite), 403, 'forbidden');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
    expect((await asTechnician<AlertsResponse>('GET', '/api/alerts')).body.alerts.map((open) => open.id)).toContain(alert.id);
  });
});
