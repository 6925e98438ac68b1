/** Small helpers the three pages share. */
import type { StageSummary } from '../../../shared/protocol';
import { isStageId } from '../../../shared/ids';

/** The element with this id, checked to be of the expected kind (a page template bug otherwise). */
export function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`The page has no ${kind.name} with id "${id}".`);
  return element;
}

/**
 * The stage named by /watch/<stageId> or /speak/<stageId>. `?stage=<id>` works too, for the Vite
 * dev server, which serves these pages as /watch.html and /speak.html.
 */
export function stageIdFromLocation(): string | null {
  const lastSegment = safeDecode(location.pathname.split('/').filter(Boolean).at(-1) ?? '');
  if (isStageId(lastSegment)) return lastSegment;
  const fromQuery = new URLSearchParams(location.search).get('stage') ?? '';
  return isStageId(fromQuery) ? fromQuery : null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

export function viewerCountText(viewers: number): string {
  return viewers === 1 ? '1 viewer' : `${viewers} viewers`;
}

export interface StageSummaryElements {
  badge: HTMLElement;
  viewers: HTMLElement;
}

export function showStageSummary(elements: StageSummaryElements, stage: StageSummary): void {
  elements.badge.textContent = stage.live ? 'Live' : 'Off air';
  elements.badge.dataset.live = String(stage.live);
  elements.viewers.textContent = viewerCountText(stage.viewers);
}

/** Replaces the page's content with an explanation, for pages opened at an address without a stage. */
export function showMissingStage(main: HTMLElement): void {
  const heading = document.createElement('h1');
  heading.textContent = 'No stage in this address';
  const text = document.createElement('p');
  text.textContent = 'Stage addresses look like /watch/town-hall or /speak/town-hall, using lowercase letters, digits and dashes. ';
  const link = document.createElement('a');
  link.href = '/';
  link.textContent = 'Pick a stage from the list.';
  text.append(link);
  main.replaceChildren(heading, text);
  document.body.dataset.state = 'offline';
}
