/** Webhooks technicians configured, and every delivery made to them with its outcome. */
import type { Database } from 'better-sqlite3';
import type { WebhookDelivery, WebhookEvent } from '../../shared/health.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export interface Webhook {
  id: string;
  url: string;
  secret: string;
  createdBy: string;
  createdAt: string;
}

/** A delivery with what is needed to try it again: where, signed with what, the exact body. */
export interface PendingDelivery extends WebhookDelivery {
  url: string;
  secret: string;
  body: string;
}

const webhookColumns = 'id, url, secret, created_by AS createdBy, created_at AS createdAt';
const deliveryColumns = `webhook_deliveries.id AS id, webhook_id AS webhookId, event, status, attempts, last_status_code AS lastStatusCode,
  last_error AS lastError, webhook_deliveries.created_at AS createdAt, last_attempt_at AS lastAttemptAt, next_attempt_at AS nextAttemptAt,
  delivered_at AS deliveredAt`;

const statements = preparedOnce((db) => ({
  insert: db.prepare<[string, string, string, string, string]>('INSERT INTO webhooks (id, url, secret, created_by, created_at) VALUES (?, ?, ?, ?, ?)'),
  get: db.prepare<[string], Webhook>(`SELECT ${webhookColumns} FROM webhooks WHERE id = ?`),
  list: db.prepare<[], Webhook>(`SELECT ${webhookColumns} FROM webhooks ORDER BY created_at, id`),
  delete: db.prepare<[string]>('DELETE FROM webhooks WHERE id = ?'),
  insertDelivery: db.prepare<[string, string, string, string, string]>(
    "INSERT INTO webhook_deliveries (id, webhook_id, event, body, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
  ),
  delivery: db.prepare<[string], PendingDelivery>(
    `SELECT ${deliveryColumns}, url, secret, body FROM webhook_deliveries JOIN webhooks ON webhooks.id = webhook_id WHERE webhook_deliveries.id = ?`,
  ),
  pending: db.prepare<[], { id: string }>("SELECT id FROM webhook_deliveries WHERE status = 'pending' ORDER BY created_at, id"),
  deliveries: db.prepare<[string, number], WebhookDelivery>(
    `SELECT ${deliveryColumns} FROM webhook_deliveries WHERE webhook_id = ? ORDER BY webhook_deliveries.created_at DESC, id LIMIT ?`,
  ),
  attempt: db.prepare<{ id: string; status: string; statusCode: number | null; error: string | null; at: string; nextAt: string | null }>(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, status = @status, last_status_code = @statusCode, last_error = @error,
       last_attempt_at = @at, next_attempt_at = @nextAt, delivered_at = CASE WHEN @status = 'delivered' THEN @at END
     WHERE id = @id`,
  ),
}));

export function createWebhook(db: Database, input: { url: string; secret: string; createdBy: string }, now = new Date()): Webhook {
  const id = newId();
  statements(db).insert.run(id, input.url, input.secret, input.createdBy, toIsoTime(now));
  return getWebhook(db, id)!;
}

export function getWebhook(db: Database, id: string): Webhook | undefined {
  return statements(db).get.get(id);
}

export function listWebhooks(db: Database): Webhook[] {
  return statements(db).list.all();
}

/** Removes the webhook with its deliveries; false when there was none. */
export function deleteWebhook(db: Database, id: string): boolean {
  return statements(db).delete.run(id).changes > 0;
}

/** Stores a pending delivery; its body is made knowing the delivery's id (which it carries). */
export function createDelivery(db: Database, webhookId: string, event: WebhookEvent, bodyFor: (id: string) => string, now = new Date()): string {
  const id = newId();
  statements(db).insertDelivery.run(id, webhookId, event, bodyFor(id), toIsoTime(now));
  return id;
}

export function getDelivery(db: Database, id: string): PendingDelivery | undefined {
  return statements(db).delivery.get(id);
}

/** Deliveries still being tried (at start-up: those a stop interrupted). */
export function pendingDeliveryIds(db: Database): string[] {
  return statements(db)
    .pending.all()
    .map((row) => row.id);
}

export function listDeliveries(db: Database, webhookId: string, limit: number): WebhookDelivery[] {
  return statements(db).deliveries.all(webhookId, limit);
}

/** What one try gave: delivered, failed for good, or pending with the time of the next try. */
export function recordAttempt(
  db: Database,
  id: string,
  outcome: { status: WebhookDelivery['status']; statusCode: number | null; error: string | null; nextAttemptAt: Date | null },
  now = new Date(),
): void {
  statements(db).attempt.run({
    id,
    status: outcome.status,
    statusCode: outcome.statusCode,
    error: outcome.error,
    at: toIsoTime(now),
    nextAt: outcome.nextAttemptAt ? toIsoTime(outcome.nextAttemptAt) : null,
  });
}
