/**
 * Viewers in Debian's Chromium, on the real watch page: what the node-datachannel crowd cannot
 * tell (frames decoded and shown, resolution, freezes as the player sees them), read from the
 * page's `window.estradPlayer.stats()`.
 *
 *   const crowd = await BrowserCrowd.open(2, 'http://127.0.0.1:3000', 'demo');
 *   crowd.viewers[0].joinMs; // navigation start → first decoded frame
 *   await crowd.sample(); // per viewer { stats: PlayerStats, pageTimeMs }, undefined if it broke
 *   await crowd.close();
 */
import type { Browser, Page } from 'playwright-core';
import type { PlayerStats } from '../../shared/playerStats.js';
import { launchChromium } from './chromium.js';
import { cpuShare, type ProcessSample, sampleTree } from './processUsage.js';

/** How often the first decoded frame is looked for: the join time is this much too late at worst. */
const FIRST_FRAME_POLL_MS = 50;

/** The player's stats and when they were read, in ms since the page's navigation started. */
export interface TimedPlayerStats {
  stats: PlayerStats;
  pageTimeMs: number;
}

/** The page's own globals; this file compiles without the DOM library, as Node code. */
interface WatchPageGlobals {
  estradPlayer: { stats(): Promise<PlayerStats> };
  document: { body: { dataset: Record<string, string | undefined> } };
}

/** The page's performance.now() counts from navigation start, which makes it the join clock. */
export function timedPlayerStats(page: Page): Promise<TimedPlayerStats> {
  return page.evaluate(async () => ({
    stats: await (globalThis as unknown as WatchPageGlobals).estradPlayer.stats(),
    pageTimeMs: performance.now(),
  }));
}

/** Reads the watch page's WebRTC statistics (getStats() of its receive transport). */
export async function playerStats(page: Page): Promise<PlayerStats> {
  return (await timedPlayerStats(page)).stats;
}

export class BrowserViewer {
  /** Navigation start → the first poll that saw a decoded video frame; undefined until then. */
  joinMs: number | undefined;
  /** Why this viewer has no figures: it never played, or its page stopped answering. */
  problem: string | undefined;

  private constructor(
    readonly name: string,
    private readonly page: Page,
  ) {}

  /** Opens /watch/<stage> in a new page; the page joins by itself. */
  static async open(browser: Browser, url: string, stageId: string, name: string): Promise<BrowserViewer> {
    const page = await browser.newPage();
    await page.goto(new URL(`/watch/${encodeURIComponent(stageId)}`, url).href);
    return new BrowserViewer(name, page);
  }

  async waitForFirstFrame(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { stats, pageTimeMs } = await timedPlayerStats(this.page);
      if ((stats.video?.framesDecoded ?? 0) > 0) {
        this.joinMs = pageTimeMs;
        return;
      }
      await new Promise((resolveDelay) => setTimeout(resolveDelay, FIRST_FRAME_POLL_MS));
    }
    throw new Error(`${this.name} decoded no video frame within ${timeoutMs} ms (page state: ${await this.playerState()})`);
  }

  stats(): Promise<TimedPlayerStats> {
    return timedPlayerStats(this.page);
  }

  private playerState(): Promise<string> {
    return this.page
      .evaluate(() => (globalThis as unknown as WatchPageGlobals).document.body.dataset.state ?? 'unknown')
      .catch((error: unknown) => String(error));
  }
}

const FIRST_FRAME_TIMEOUT_MS = 20_000;
/** Chromium's processes by their kernel name ("chromium" on Debian, "chrome" elsewhere). */
const CHROMIUM_PROCESS_NAME = /^chrom/;

/** Chromium's processes under this one, sampled at one instant, for its CPU share. */
interface ChromiumSample {
  at: number;
  processes: ProcessSample[];
}

/** One Chromium with a page per viewer; each page is its own WebRTC viewer. */
export class BrowserCrowd {
  private constructor(
    private readonly browser: Browser,
    readonly viewers: BrowserViewer[],
  ) {}

  /** Opens `count` watch pages one after the other, each waiting for its first frame. */
  static async open(count: number, url: string, stageId: string): Promise<BrowserCrowd> {
    const browser = await launchChromium();
    const crowd = new BrowserCrowd(browser, []);
    try {
      for (let index = 0; index < count; index++) {
        const viewer = await BrowserViewer.open(browser, url, stageId, `chromium-${index + 1}`);
        crowd.viewers.push(viewer);
        await viewer.waitForFirstFrame(FIRST_FRAME_TIMEOUT_MS).catch((error: unknown) => {
          viewer.problem = errorMessage(error);
        });
      }
    } catch (error) {
      await browser.close();
      throw error;
    }
    return crowd;
  }

  /** Every viewer's stats now; undefined for one that has a problem. */
  async sample(): Promise<(TimedPlayerStats | undefined)[]> {
    return Promise.all(
      this.viewers.map((viewer) =>
        viewer.problem
          ? Promise.resolve(undefined)
          : viewer.stats().catch((error: unknown) => {
              viewer.problem = `its page stopped answering: ${errorMessage(error)}`;
              return undefined;
            }),
      ),
    );
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

export function sampleChromium(): ChromiumSample {
  const tree = sampleTree(process.pid);
  return { at: performance.now(), processes: (tree?.descendants ?? []).filter((sample) => CHROMIUM_PROCESS_NAME.test(sample.name)) };
}

/** Cores Chromium used between two samples; a process born in between counts from zero. */
export function chromiumCpuShare(before: ChromiumSample, after: ChromiumSample): number {
  const wallSeconds = (after.at - before.at) / 1000;
  const earlier = new Map(before.processes.map((sample) => [sample.pid, sample]));
  return after.processes.reduce((sum, sample) => sum + cpuShare(earlier.get(sample.pid) ?? { ...sample, cpuSeconds: 0 }, sample, wallSeconds), 0);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
