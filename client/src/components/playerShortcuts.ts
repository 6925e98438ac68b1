/** The replay player's keyboard shortcuts: which key does what (pure, for test/client). */

export type PlayerAction = { kind: 'toggle-play' } | { kind: 'seek-by'; seconds: number } | { kind: 'toggle-mute' } | { kind: 'toggle-fullscreen' };

/** How far j/l and the arrow keys jump. */
export const SEEK_STEP_SECONDS = 10;

const ACTIONS: Readonly<Record<string, PlayerAction>> = {
  ' ': { kind: 'toggle-play' },
  k: { kind: 'toggle-play' },
  j: { kind: 'seek-by', seconds: -SEEK_STEP_SECONDS },
  ArrowLeft: { kind: 'seek-by', seconds: -SEEK_STEP_SECONDS },
  l: { kind: 'seek-by', seconds: SEEK_STEP_SECONDS },
  ArrowRight: { kind: 'seek-by', seconds: SEEK_STEP_SECONDS },
  m: { kind: 'toggle-mute' },
  f: { kind: 'toggle-fullscreen' },
};

/** Elements whose own keys (typing, choosing, pressing) must not be taken over by the player. */
const OWN_KEYS = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'A', 'SUMMARY']);

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The focused element's tag name (upper case), or undefined. */
  targetTag: string | undefined;
}

/**
 * The player action for a key, or null: keys with a modifier stay the browser's (Ctrl+F finds),
 * and a focused form field, button or link keeps its own keys (space presses a button).
 */
export function shortcutFor(press: KeyPress): PlayerAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (press.targetTag && OWN_KEYS.has(press.targetTag)) return null;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  return ACTIONS[key] ?? null;
}
