/**
 * The audience panel (questions, polls) of the watch and embed pages, loaded once the player shows
 * its first picture: loading and rendering it does not compete with the player's start, and it
 * stays out of the page's initial JavaScript budget (`npm run size`).
 */
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { milestoneReached } from '../live/timeline';
import type { AudiencePanel } from './AudiencePanel';
import { activePlayer } from './LivePlayerView';

/** Without a picture (nothing on air yet, media blocked) the panel comes after this long anyway. */
const LATEST_LOAD_MS = 2_000;

const loadedPanel = signal<typeof AudiencePanel | null>(null);

export function LazyAudiencePanel() {
  useEffect(() => {
    let asked = false;
    const load = () => {
      if (asked) return;
      asked = true;
      void import('./AudiencePanel').then((module) => (loadedPanel.value = module.AudiencePanel));
    };
    const latest = setTimeout(load, LATEST_LOAD_MS);
    void milestoneReached('first-frame').then(load);
    return () => clearTimeout(latest);
  }, []);
  const Panel = loadedPanel.value;
  const player = activePlayer.value;
  return Panel && player ? <Panel player={player} /> : null;
}
