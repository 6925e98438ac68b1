/**
 * Carries alert events to the technicians' webhooks: each delivery is stored first, signed with
 * the webhook's secret (HMAC-SHA256 of the exact body, X-Estrad-Signature: sha256=<hex>), and
 * tried again with a doubling wait until the receiver answers 2xx or the tries run out. Every
 * try's outcome is kept, for the control room to see.
 */
import { createHmac } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Alert, WebhookBody, WebhookDelivery, WebhookEvent, WebhookInfo } from '../../shared/health.js';
import { toIsoTime } from '../storage/time.js';
import {
  createDelivery,
  createWebhook,
  deleteWebhook,
  getDelivery,
  getWebhook,
  listDeliveries,
  listWebhooks,
  pendingDeliveryIds,
  type PendingDelivery,
  recordAttempt,
  type Webhook,
} from '../storage/webhooks.js';

export const SIGNATURE_HEADER = 'x-estrad-signature';

export interface WebhookDispatcherOptions {
  db: Database;
  logger: Logger;
  /** Waits before the second, third, … try; their count plus one is how many tries a delivery gets. */
  retryDelaysMs?: readonly number[];
  attemptTimeoutMs?: number;
}

/** 1 s, 2 s, 4 s … 64 s: eight tries over about two minutes, enough for a receiver that restarts. */
const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000];
const DEFAULT_ATTEMPT_TIMEOUT_MS = 5_000;
/** Kept of a receiver's error answer, for the delivery's record. */
const MAX_ERROR_CHARS = 300;

/** `sha256=<hex>` of the body: what a receiver computes with the shared secret and compares. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly retryDelaysMs: readonly number[];
  private readonly attemptTimeoutMs: number;
  private closed = false;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  }

  create(input: { url: string; secret: string; createdBy: string }): WebhookInfo {
    return this.info(createWebhook(this.options.db, input));
  }

  list(): WebhookInfo[] {
    return listWebhooks(this.options.db).map((webhook) => this.info(webhook));
  }

  exists(webhookId: string): boolean {
    return getWebhook(this.options.db, webhookId) !== undefined;
  }

  /** False when there was no such webhook; its deliveries go with it (one being tried stops). */
  remove(webhookId: string): boolean {
    return deleteWebhook(this.options.db, webhookId);
  }

  /** The webhook's deliveries, newest first. */
  deliveries(webhookId: string, limit = 50): WebhookDelivery[] {
    return listDeliveries(this.options.db, webhookId, limit);
  }

  /** One delivery as it stands now. */
  delivery(deliveryId: string): WebhookDelivery | undefined {
    const found = getDelivery(this.options.db, deliveryId);
    if (!found) return undefined;
    const { url: _url, secret: _secret, body: _body, ...delivery } = found;
    return delivery;
  }

  /** Tries again what a stop interrupted. */
  start(): void {
    for (const id of pendingDeliveryIds(this.options.db)) this.attemptSoon(id, 0);
  }

  /** One delivery of `event` to every webhook. */
  send(event: WebhookEvent, alert: Alert | null): void {
    for (const webhook of listWebhooks(this.options.db)) this.sendTo(webhook.id, event, alert);
  }

  /** One delivery to one webhook; returns its id. */
  sendTo(webhookId: string, event: WebhookEvent, alert: Alert | null): string {
    const id = createDelivery(this.options.db, webhookId, event, (deliveryId) => {
      const body: WebhookBody = { id: deliveryId, event, sentAt: toIsoTime(new Date()), alert };
      return JSON.stringify(body);
    });
    this.attemptSoon(id, 0);
    return id;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private info(webhook: Webhook): WebhookInfo {
    const { id, url, createdBy, createdAt } = webhook;
    return { id, url, createdBy, createdAt, lastDelivery: this.deliveries(id, 1)[0] ?? null };
  }

  private attemptSoon(id: string, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(id);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(id: string): Promise<void> {
    const { db, logger } = this.options;
    // Gone when its webhook was deleted meanwhile.
    const delivery = getDelivery(db, id);
    if (!delivery || delivery.status !== 'pending' || this.closed) return;
    const { statusCode, error } = await this.post(delivery);
    if (this.closed) return;
    const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const retryDelay = this.retryDelaysMs[delivery.attempts];
    const status = delivered ? 'delivered' : retryDelay === undefined ? 'failed' : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(Date.now() + retryDelay!) : null;
    recordAttempt(db, id, { status, statusCode, error: delivered ? null : error, nextAttemptAt });
    const log = { webhook: delivery.webhookId, delivery: id, event: delivery.event, attempt: delivery.attempts + 1, statusCode, error };
    if (status === 'pending') {
      logger.warn({ ...log, retryInMs: retryDelay }, 'webhook delivery failed; trying again');
      this.attemptSoon(id, retryDelay!);
    } else if (status === 'failed') {
      logger.error(log, 'webhook delivery failed for good');
    }
  }

  private async post(delivery: PendingDelivery): Promise<{ statusCode: number | null; error: string | null }> {
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Estrad-Webhook',
          'x-estrad-event': delivery.event,
          'x-estrad-delivery': delivery.id,
          [SIGNATURE_HEADER]: webhookSignature(delivery.secret, delivery.body),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.attemptTimeoutMs),
      });
      const text = await response.text().catch(() => '');
      return { statusCode: response.status, error: response.ok ? null : `answered ${response.status}: ${text.slice(0, MAX_ERROR_CHARS)}` };
    } catch (error) {
      return { statusCode: null, error: describeFetchError(error) };
    }
  }
}

/** fetch says only "fetch failed"; the reason (refused, unknown host, timeout) is in its cause. */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `no answer: ${reason}`.slice(0, MAX_ERROR_CHARS);
}
