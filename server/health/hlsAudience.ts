/**
 * Who watches a stage's live HLS (the watch page's fallback and rewind, a live replay): players
 * reload the playlist of a recording in progress about every second, so the clients that fetched
 * one in the last few seconds are its audience. A client is its address and browser: HLS
 * requests carry no viewer id, and one put in the URL would split every cache's copy.
 */
const WINDOW_MS = 6_000;

export class HlsAudience {
  /** stage → client → when it last fetched the live playlist. */
  private readonly fetches = new Map<string, Map<string, number>>();

  noteLivePlaylistFetch(stageId: string, client: string, now = Date.now()): void {
    let clients = this.fetches.get(stageId);
    if (!clients) {
      clients = new Map();
      this.fetches.set(stageId, clients);
    }
    clients.set(client, now);
  }

  viewers(stageId: string, now = Date.now()): number {
    const clients = this.fetches.get(stageId);
    if (!clients) return 0;
    for (const [client, at] of clients) if (now - at > WINDOW_MS) clients.delete(client);
    if (clients.size === 0) this.fetches.delete(stageId);
    return clients.size;
  }
}
