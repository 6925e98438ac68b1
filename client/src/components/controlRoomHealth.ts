/**
 * The control room's live health and alerts: one socket follows every stage (health:follow), the
 * server pushes a snapshot every second and each alert as it is raised, cleared or acknowledged.
 * After a reconnect the socket follows again and gets the state it missed.
 */
import { signal } from '@preact/signals';
import type { Alert, HealthSnapshot } from '../../../shared/health';
import { language } from '../i18n/language';
import { Signalling } from '../signalling';

export const healthSnapshot = signal<HealthSnapshot | null>(null);
/** Open alerts, newest first. */
export const openAlerts = signal<Alert[]>([]);
export const healthConnected = signal(false);
/** The newest alert raised while the page was open, for the live region to announce. */
export const newestAlert = signal<Alert | null>(null);

let signalling: Signalling | undefined;

export function followHealth(): void {
  if (signalling) return;
  const connection = new Signalling();
  signalling = connection;
  const follow = () =>
    connection.request('health:follow', {}).then(
      ({ snapshot, alerts }) => {
        healthSnapshot.value = snapshot;
        openAlerts.value = alerts;
        healthConnected.value = true;
      },
      () => (healthConnected.value = false),
    );
  connection.onConnectionChange((connected) => {
    if (connected) void follow();
    else healthConnected.value = false;
  });
  connection.on('health:snapshot', (snapshot) => (healthSnapshot.value = snapshot));
  connection.on('alerts:alert', alertChanged);
  if (connection.connected) void follow();
}

export function stopFollowingHealth(): void {
  signalling?.close();
  signalling = undefined;
  healthConnected.value = false;
  healthSnapshot.value = null;
  openAlerts.value = [];
}

export function alertChanged(alert: Alert): void {
  const others = openAlerts.value.filter((open) => open.id !== alert.id);
  const isNew = others.length === openAlerts.value.length;
  if (alert.acknowledgedAt !== null) {
    openAlerts.value = others;
    return;
  }
  openAlerts.value = [alert, ...others].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt));
  if (isNew) newestAlert.value = alert;
}

/** A measurement's or an alert's time to the second, as the technician's clock shows it. */
export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(language.value);
}
