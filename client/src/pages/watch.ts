import '../styles.css';
import type { PlayerStats } from '../../../shared/playerStats';
import type { MediaSource } from '../../../shared/protocol';
import { type PlayerState, ViewerSession } from '../live/viewer';
import { byId, showMissingStage, showStageSummary, stageIdFromLocation } from './common';

declare global {
  interface Window {
    /** For tests and diagnostics. */
    estradPlayer?: { state(): PlayerState; stats(): Promise<PlayerStats>; shownSource(): MediaSource | null };
  }
}

const STATE_TEXT: Record<PlayerState, string> = {
  connecting: 'Connecting…',
  waiting: 'Connected. Waiting for the broadcast.',
  playing: 'Playing live.',
  reconnecting: 'Connection lost. Reconnecting…',
  offline: 'Offline.',
};

function watch(stageId: string): void {
  document.title = `${stageId} – Estrad`;
  byId('stage-title', HTMLElement).textContent = stageId;
  const stateText = byId('connection-state', HTMLElement);
  const summary = { badge: byId('live-badge', HTMLElement), viewers: byId('viewer-count', HTMLElement) };

  const session = new ViewerSession(
    stageId,
    {
      player: byId('player', HTMLElement),
      video: byId('player-video', HTMLVideoElement),
      notice: byId('player-notice', HTMLElement),
      unmuteButton: byId('unmute', HTMLButtonElement),
    },
    {
      state: (state) => {
        document.body.dataset.state = state;
        stateText.textContent = STATE_TEXT[state];
      },
      stage: (stage) => showStageSummary(summary, stage),
    },
  );
  window.estradPlayer = { state: () => session.state(), stats: () => session.stats(), shownSource: () => session.shownSource() };
  session.start();
}

const stageId = stageIdFromLocation();
if (stageId) watch(stageId);
else showMissingStage(byId('main', HTMLElement));
