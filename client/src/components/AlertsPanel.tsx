/** Alerts not yet acknowledged, newest first; a new one is announced to screen readers as it arrives. */
import './health.css';
import { signal } from '@preact/signals';
import { type Alert, type FeedHealth, type FeedSwitchReason, feedSwitchReasons } from '../../../shared/health';
import { ingestFeedRoleSchema } from '../../../shared/protocol';
import { acknowledgeAlert } from '../api/alerts';
import { errorText } from '../i18n/errors';
import { t } from '../i18n/language';
import { alertChanged, clockTime, newestAlert, openAlerts } from './controlRoomHealth';

const sources: readonly string[] = ['camera', 'microphone', 'screen', 'screen-audio'] satisfies FeedHealth['source'][];
/** What the last acknowledgement did, or why it failed. */
const outcome = signal('');

export function AlertsPanel({ stageTitle }: { stageTitle: (stageId: string) => string }) {
  const alerts = openAlerts.value;
  const newest = newestAlert.value;
  return (
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">{t('alerts.heading')}</h2>
      {/* Present before anything arrives, so screen readers announce what is put into it. */}
      <p class="visually-hidden" aria-live="assertive">
        {newest ? t('alerts.newAlert', { what: alertText(newest, stageTitle) }) : ''}
      </p>
      <p role="status">{outcome.value}</p>
      {alerts.length === 0 ? (
        <p>{t('alerts.none')}</p>
      ) : (
        <ul class="alert-list">
          {alerts.map((alert) => (
            <AlertItem key={alert.id} alert={alert} text={alertText(alert, stageTitle)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AlertItem({ alert, text }: { alert: Alert; text: string }) {
  const onAcknowledge = async () => {
    try {
      alertChanged(await acknowledgeAlert(alert.id));
      outcome.value = t('alerts.acknowledged', { what: text });
    } catch (error) {
      outcome.value = errorText(error);
    }
  };
  return (
    <li class={`panel alert-item alert-${alert.severity}`} data-alert={alert.kind}>
      <p>
        <strong>{t(`alerts.severity.${alert.severity}`)}:</strong> {text}
      </p>
      <p>
        {t('alerts.raisedAt', { time: clockTime(alert.raisedAt) })}
        {alert.clearedAt !== null && ` · ${t('alerts.clearedAt', { time: clockTime(alert.clearedAt) })}`}
      </p>
      <button class="button" type="button" aria-label={t('alerts.acknowledgeLabel', { what: text })} onClick={() => void onAcknowledge()}>
        {t('alerts.acknowledge')}
      </button>
    </li>
  );
}

/** The alert in the page's language, from its kind and details (its `message` is English, for logs and webhooks). */
export function alertText(alert: Alert, stageTitle: (stageId: string) => string): string {
  const stage = alert.stageId === null ? '' : stageTitle(alert.stageId);
  const detail = (name: string) => alert.details[name] ?? '';
  const source = String(detail('source'));
  const sourceName = sources.includes(source) ? t(`health.source.${source as FeedHealth['source']}`) : source;
  switch (alert.kind) {
    case 'feed_lost':
      return t('alerts.kind.feed_lost', { source: sourceName, stage });
    case 'bitrate_collapsed':
      return t('alerts.kind.bitrate_collapsed', { source: sourceName, stage, usual: detail('usualKbps'), now: detail('nowKbps') });
    case 'frame_rate_collapsed':
      return t('alerts.kind.frame_rate_collapsed', { source: sourceName, stage, usual: detail('usualFps'), now: detail('nowFps') });
    case 'recording_failed':
      return t('alerts.kind.recording_failed', { stage });
    case 'recording_restarted':
      return t('alerts.kind.recording_restarted', { stage });
    case 'worker_restarted':
      return t('alerts.kind.worker_restarted', { worker: detail('worker') });
    case 'viewers_dropped':
      return t('alerts.kind.viewers_dropped', { stage, from: detail('from'), to: detail('to') });
    case 'disk_nearly_full':
      return t('alerts.kind.disk_nearly_full', { free: Math.round((Number(detail('freeBytes')) / 1024 ** 3) * 10) / 10 });
    case 'feed_switched':
      return feedSwitchedText(alert, stage);
  }
}

/** "Main feed → backup feed" with why; a role or reason this page does not know is shown as it came. */
function feedSwitchedText(alert: Alert, stage: string): string {
  const role = (name: 'from' | 'to') => {
    const value = ingestFeedRoleSchema.safeParse(alert.details[name]);
    return value.success ? t(`ingest.role.${value.data}`) : String(alert.details[name] ?? '');
  };
  const reason = String(alert.details.reason ?? '');
  const why = (feedSwitchReasons as readonly string[]).includes(reason) ? t(`alerts.feedSwitchReason.${reason as FeedSwitchReason}`) : reason;
  return t('alerts.kind.feed_switched', { stage, from: role('from'), to: role('to'), reason: why });
}
