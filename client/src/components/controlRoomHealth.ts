/**
 * The control room's live health and alerts: one socket follows every stage (health:follow), the
 * server pushes a snapshot every second and each alert as it is raised, cleared or acknowledged,
 * and every technician's changes to a stage's talk on air and recording, so that two control
 * rooms open at once show the same. After a reconnect the socket follows again and gets the
 * state it missed (the panels read the talk on air and the recording switch again).
 */
import { signal } from '@preact/signals';
import type { Alert, HealthSnapshot } from '../../../shared/health';
import type { RecordingControl, StageOnAir } from '../../../shared/programmeControl';
import { language } from '../i18n/language';
import { Signalling } from '../signalling';

export const healthSnapshot = signal<HealthSnapshot | null>(null);
/** Open alerts, newest first. */
export const openAlerts = signal<Alert[]>([]);
export const healthConnected = signal(false);
/** The newest alert raised while the page was open, for the live region to announce. */
export const newestAlert = signal<Alert | null>(null);
/** By stage id: the talk on air, as read or last pushed. */
export const talksOnAir = signal<ReadonlyMap<string, StageOnAir>>(new Map());
/** By stage id: the recording switch and markers, as read or last pushed (its duration and size move with the snapshot). */
export const recordingStates = signal<ReadonlyMap<string, RecordingControl>>(new Map());
/** Bumped at every (re)connection of the socket: the panels read their state again, missed pushes and all. */
export const followedSince = signal(0);

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
        followedSince.value++;
      },
      () => (healthConnected.value = false),
    );
  connection.onConnectionChange((connected) => {
    if (connected) void follow();
    else healthConnected.value = false;
  });
  connection.on('health:snapshot', (snapshot) => (healthSnapshot.value = snapshot));
  connection.on('alerts:alert', alertChanged);
  connection.on('programme:onAir', rememberOnAir);
  connection.on('recording:control', rememberRecording);
  if (connection.connected) void follow();
}

export function stopFollowingHealth(): void {
  signalling?.close();
  signalling = undefined;
  healthConnected.value = false;
  healthSnapshot.value = null;
  openAlerts.value = [];
  talksOnAir.value = new Map();
  recordingStates.value = new Map();
}

export function rememberOnAir(onAir: StageOnAir): void {
  talksOnAir.value = new Map([...talksOnAir.value, [onAir.stageId, onAir]]);
}

export function rememberRecording(state: RecordingControl): void {
  recordingStates.value = new Map([...recordingStates.value, [state.stageId, state]]);
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
