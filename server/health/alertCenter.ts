/**
 * Where alerts are raised, cleared and acknowledged: each is stored (one open alert per kind and
 * subject), pushed to the control room and sent to the webhooks. An alert stays open until a
 * technician acknowledges it, even when its cause has gone away by itself (it then says since when).
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Alert, AlertKind } from '../../shared/health.js';
import { acknowledgeAlert, type AlertInput, clearAlert, getAlert, insertAlert, listAlerts } from '../storage/alerts.js';
import type { WebhookDispatcher } from './webhookDispatcher.js';

export type { AlertInput };

/** How alerts reach the control room; signalling implements it over socket.io. */
export interface AlertNotifier {
  alertChanged(alert: Alert): void;
}

export interface AlertCenterOptions {
  db: Database;
  notifier: AlertNotifier;
  webhooks: WebhookDispatcher;
  logger: Logger;
}

export class AlertCenter {
  constructor(private readonly options: AlertCenterOptions) {}

  get webhooks(): WebhookDispatcher {
    return this.options.webhooks;
  }

  /** Undefined when the same trouble is already open. */
  raise(input: AlertInput): Alert | undefined {
    const alert = insertAlert(this.options.db, input);
    if (!alert) return undefined;
    const log = { alert: alert.id, kind: alert.kind, stage: alert.stageId, subject: alert.subject, details: alert.details };
    if (alert.severity === 'critical') this.options.logger.error(log, alert.message);
    else this.options.logger.warn(log, alert.message);
    this.options.notifier.alertChanged(alert);
    this.options.webhooks.send('alert.raised', alert);
    return alert;
  }

  /** The cause went away: the open alert keeps showing, with the time it did. */
  clear(kind: AlertKind, subject: string): void {
    const alert = clearAlert(this.options.db, kind, subject);
    if (alert) this.options.notifier.alertChanged(alert);
  }

  /** Undefined when there is no such alert. Acknowledging twice changes nothing the second time. */
  acknowledge(alertId: string, technician: string): Alert | undefined {
    const before = getAlert(this.options.db, alertId);
    if (!before) return undefined;
    if (before.acknowledgedAt !== null) return before;
    const alert = acknowledgeAlert(this.options.db, alertId, technician)!;
    this.options.logger.info({ alert: alert.id, kind: alert.kind, technician }, 'alert acknowledged');
    this.options.notifier.alertChanged(alert);
    this.options.webhooks.send('alert.acknowledged', alert);
    return alert;
  }

  list(options: { open: boolean; limit: number }): Alert[] {
    return listAlerts(this.options.db, options);
  }

  open(): Alert[] {
    return this.list({ open: true, limit: 1000 });
  }
}
