/**
 * What the watch page's `window.estradPlayer.stats()` returns: its receive transport's getStats()
 * inbound-rtp entries, summed per kind. Tests and the viewer benchmark read it through Chromium.
 */

export interface PlayerAudioStats {
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
}

/** The video currently shown (other consumed videos are paused and left out). */
export interface PlayerVideoStats extends PlayerAudioStats {
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  /** Decoded frames the player never showed. */
  framesDropped: number;
  /** Intervals between rendered frames of at least max(3 × average, average + 150 ms). */
  freezeCount: number;
  /** Those intervals added up, in seconds (getStats() units). */
  totalFreezesDuration: number;
}

export interface PlayerStats {
  video: PlayerVideoStats | null;
  audio: PlayerAudioStats | null;
}
