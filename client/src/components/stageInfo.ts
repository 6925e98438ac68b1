/** What the watch and embed pages show about a stage: its title, its event and its programme, refreshed. */
import { signal } from '@preact/signals';
import type { EventProgrammeResponse, StageListing } from '../../../shared/protocol';
import { fetchProgramme, fetchStages } from '../api/events';
import { setEventLanguage } from '../i18n/language';

/** The programme's "now" moves on; the stage list is refreshed at the same pace. */
const REFRESH_INTERVAL_MS = 30_000;

export interface StageInfo {
  listing: StageListing | null;
  event: EventProgrammeResponse | null;
  /** Set once the stage list answered without this stage. */
  unknown: boolean;
  now: number;
}

export const stageInfo = signal<StageInfo>({ listing: null, event: null, unknown: false, now: Date.now() });

export async function loadStageInfo(stageId: string): Promise<void> {
  try {
    const listing = (await fetchStages()).stages.find((stage) => stage.id === stageId) ?? null;
    // A private event's programme needs access; the page then shows what the stage list says.
    const event = listing ? await fetchProgramme(listing.eventId).catch(() => null) : null;
    if (event) setEventLanguage(event.language);
    stageInfo.value = { listing, event, unknown: listing === null, now: Date.now() };
  } catch {
    // The player does not need it; the next round tries again.
  } finally {
    setTimeout(() => void loadStageInfo(stageId), REFRESH_INTERVAL_MS);
  }
}

export function programmeStage(info: StageInfo): EventProgrammeResponse['stages'][number] | undefined {
  return info.event?.stages.find((stage) => stage.id === info.listing?.id);
}
