/**
 * The audience panel (questions, polls) of the watch and embed pages, loaded once the page has
 * rendered: the player's first picture does not wait for it, and it stays out of the page's
 * initial JavaScript budget (`npm run size`).
 */
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { AudiencePanel } from './AudiencePanel';
import { activePlayer } from './LivePlayerView';

const loadedPanel = signal<typeof AudiencePanel | null>(null);

export function LazyAudiencePanel() {
  useEffect(() => {
    void import('./AudiencePanel').then((module) => (loadedPanel.value = module.AudiencePanel));
  }, []);
  const Panel = loadedPanel.value;
  const player = activePlayer.value;
  return Panel && player ? <Panel player={player} /> : null;
}
