/**
 * Main and backup feeds of a stage: every ingest (SRT/RTMP listener, WHIP session) reports the
 * peer it publishes with, and the feeds of the role not on air wait on standby (ready, receiving,
 * off air). When no main feed has sent media for a second, the backup goes on air; when a main
 * one sends again, it takes over again; a technician may pin either. Viewers and the recorder
 * follow what is on air, so each switch is a new recording run (a discontinuity), not a gap.
 * Each switch raises an alert: the technicians should know their main feed failed (or is back).
 */
import type { FeedSwitchReason } from '../../shared/health.js';
import type { IngestFeedRole, StageFeedChoice, StageFeedState } from '../../shared/protocol.js';
import type { Peer } from '../domain/peer.js';
import type { Stage } from '../domain/stage.js';
import type { AlertCenter } from '../health/alertCenter.js';
import { feedSwitched } from '../health/alertRules.js';

/** A main feed silent this long has failed (the figure). */
export const FEED_SILENCE_MS = 1_000;
/** How often feeds are sampled: a failure is noticed between FEED_SILENCE_MS and this much later. */
const SAMPLE_MS = 100;

/** Which feed is on air, the technician's choice and the switches: the shape GET /api/stages/:id/feed answers. */
export type FeedState = StageFeedState;
export type FeedChoice = StageFeedChoice;

/** A switch's reason in English, for the log, the feed state and the alert's message. */
const reasonTexts: Record<FeedSwitchReason, (from: IngestFeedRole, to: IngestFeedRole) => string> = {
  main_silent: () => `no media from the main feed for ${FEED_SILENCE_MS} ms`,
  main_returned: () => 'the main feed sends media again',
  technician_choice: () => 'chosen by a technician',
  role_changed: (from, to) => `the technicians made the ${from} feed the ${to} one`,
};

interface Feed {
  peer: Peer;
  role: IngestFeedRole;
  bytes: number;
  /** When its byte count last grew; 0 before it ever did. */
  flowingAt: number;
}

interface StageFeeds {
  stage: Stage;
  feeds: Map<string, Feed>;
  state: FeedState;
}

export class FeedSwitch {
  private readonly stages = new Map<string, StageFeeds>();
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  /** Logs, stores and sends each switch (to the control room and the webhooks). */
  constructor(private readonly alerts: Pick<AlertCenter, 'raise'>) {}

  /** An ingest's peer joined its stage; called before its media goes on air. */
  attach(stage: Stage, peer: Peer, role: IngestFeedRole): void {
    const feeds = this.feedsOf(stage);
    feeds.feeds.set(peer.id, { peer, role, bytes: 0, flowingAt: 0 });
    if (role !== feeds.state.onAir) void stage.setStandby(peer, true);
    this.startSampling();
  }

  /** The ingest's peer left its stage (the encoder went, the session ended). */
  detach(stage: Stage, peer: Peer): void {
    const feeds = this.stages.get(stage.id);
    if (!feeds || feeds.stage !== stage) return;
    feeds.feeds.delete(peer.id);
    // Kept while pinned or on the backup: the feeds that come next follow the same choice.
    if (feeds.feeds.size === 0 && feeds.state.choice === 'auto' && feeds.state.onAir === 'main') this.stages.delete(stage.id);
  }

  /**
   * A technician gave an ingest point another role while its encoder sends: the feed joins that
   * role's side at once. When it was the last of the role on air, the stage follows it there
   * (rather than going off air until the next sample notices).
   */
  changeRole(stage: Stage, peer: Peer, role: IngestFeedRole): void {
    const feeds = this.stages.get(stage.id);
    const feed = feeds?.stage === stage ? feeds.feeds.get(peer.id) : undefined;
    if (!feeds || !feed || feed.role === role) return;
    feed.role = role;
    const { onAir, choice } = feeds.state;
    const onAirRoleLeft = [...feeds.feeds.values()].some((candidate) => candidate.role === onAir);
    if (choice === 'auto' && !onAirRoleLeft) this.switchTo(feeds, role, 'role_changed');
    else void stage.setStandby(peer, role !== onAir);
    this.startSampling();
  }

  /** The technician's choice: a pinned role stays on air whatever its media does. */
  choose(stage: Stage, choice: FeedChoice): FeedState {
    const feeds = this.feedsOf(stage);
    feeds.state.choice = choice;
    if (choice !== 'auto' && choice !== feeds.state.onAir) this.switchTo(feeds, choice, 'technician_choice');
    return this.state(stage.id);
  }

  state(stageId: string): FeedState {
    const state = this.stages.get(stageId)?.state;
    return state ? { ...state, switches: { ...state.switches } } : { onAir: 'main', choice: 'auto', switches: { main: 0, backup: 0 }, lastSwitch: null };
  }

  /** Switch counts of every stage that has switched, for /metrics. */
  switchCounts(): { stageId: string; switches: Record<IngestFeedRole, number> }[] {
    return [...this.stages.entries()].map(([stageId, feeds]) => ({ stageId, switches: { ...feeds.state.switches } }));
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private feedsOf(stage: Stage): StageFeeds {
    let feeds = this.stages.get(stage.id);
    if (!feeds || feeds.stage !== stage) {
      // A stage that was closed and opened again starts with its main feed, with the old counts.
      const { choice, switches, lastSwitch } = feeds?.state ?? { choice: 'auto', switches: { main: 0, backup: 0 }, lastSwitch: null };
      feeds = { stage, feeds: new Map(), state: { onAir: 'main', choice, switches, lastSwitch } };
      this.stages.set(stage.id, feeds);
    }
    return feeds;
  }

  private startSampling(): void {
    this.timer ??= setInterval(() => void this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const now = Date.now();
      for (const feeds of this.stages.values()) {
        // A stage without a backup has nothing to switch to: its feeds cost no sampling.
        if (feeds.state.onAir === 'main' && ![...feeds.feeds.values()].some((feed) => feed.role === 'backup')) continue;
        for (const feed of feeds.feeds.values()) {
          const bytes = await feeds.stage.receivedBytes(feed.peer).catch(() => feed.bytes);
          if (bytes > feed.bytes) feed.flowingAt = now;
          feed.bytes = bytes;
        }
        this.decide(feeds, now);
      }
    } finally {
      this.sampling = false;
    }
  }

  private decide(feeds: StageFeeds, now: number): void {
    if (feeds.state.choice !== 'auto') return;
    const flowing = (role: IngestFeedRole) => [...feeds.feeds.values()].some((feed) => feed.role === role && now - feed.flowingAt < FEED_SILENCE_MS);
    const { onAir } = feeds.state;
    if (onAir === 'main' && !flowing('main') && flowing('backup')) this.switchTo(feeds, 'backup', 'main_silent');
    else if (onAir === 'backup' && flowing('main')) this.switchTo(feeds, 'main', 'main_returned');
  }

  private switchTo(feeds: StageFeeds, role: IngestFeedRole, reasonCode: FeedSwitchReason): void {
    const from = feeds.state.onAir;
    const reason = reasonTexts[reasonCode](from, role);
    const at = new Date().toISOString();
    feeds.state.onAir = role;
    feeds.state.switches[role]++;
    feeds.state.lastSwitch = { at, from, to: role, reason };
    // The new feed first, so the stage is never off air in between (the recorder would end the recording).
    for (const feed of feeds.feeds.values()) if (feed.role === role) void feeds.stage.setStandby(feed.peer, false);
    for (const feed of feeds.feeds.values()) if (feed.role !== role) void feeds.stage.setStandby(feed.peer, true);
    this.alerts.raise(feedSwitched(feeds.stage.id, { at, from, to: role, reason: reasonCode, reasonText: reason }));
  }
}
