import '../styles.css';
import type { StageSummary, StagesResponse } from '../../../shared/protocol';
import { isStageId } from '../../../shared/ids';
import { byId, viewerCountText } from './common';

const REFRESH_INTERVAL_MS = 5_000;

const list = byId('stage-list', HTMLUListElement);
const status = byId('stages-status', HTMLElement);
let shownStages = '';
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

async function fetchStages(): Promise<StageSummary[]> {
  const response = await fetch('/api/stages', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return ((await response.json()) as StagesResponse).stages;
}

async function refresh(): Promise<void> {
  clearTimeout(refreshTimer);
  try {
    showStages(await fetchStages());
  } catch {
    status.textContent = 'Could not load the stages. Check your connection; the list retries every 5 seconds.';
  } finally {
    // No need to poll a page nobody looks at; it refreshes when shown again.
    if (!document.hidden) refreshTimer = setTimeout(() => void refresh(), REFRESH_INTERVAL_MS);
  }
}

function showStages(stages: StageSummary[]): void {
  const sorted = [...stages].sort((a, b) => Number(b.live) - Number(a.live) || a.id.localeCompare(b.id));
  status.textContent =
    sorted.length === 0 ? 'No stages yet. Open one by name below; it is listed here once someone joins it.' : '';
  // Rebuilding unchanged markup every 5 s would throw away keyboard focus for nothing.
  const fingerprint = JSON.stringify(sorted);
  if (fingerprint === shownStages) return;
  shownStages = fingerprint;
  const focusedHref = document.activeElement instanceof HTMLAnchorElement ? document.activeElement.getAttribute('href') : null;
  list.replaceChildren(...sorted.map(stageCard));
  if (focusedHref) list.querySelector<HTMLAnchorElement>(`a[href="${CSS.escape(focusedHref)}"]`)?.focus();
}

function stageCard(stage: StageSummary): HTMLLIElement {
  const card = document.createElement('li');
  card.className = 'stage-card';

  const heading = document.createElement('h3');
  heading.className = 'stage-card-title';
  heading.textContent = stage.id;

  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.dataset.live = String(stage.live);
  badge.textContent = stage.live ? 'Live' : 'Off air';

  const meta = document.createElement('p');
  meta.className = 'meta';
  meta.textContent = `${viewerCountText(stage.viewers)} · ${stage.speakers === 1 ? '1 speaker' : `${stage.speakers} speakers`}`;

  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.append(
    stageLink(`/watch/${stage.id}`, 'Watch', `Watch ${stage.id}`, 'button button-primary'),
    stageLink(`/speak/${stage.id}`, 'Speak', `Speak on ${stage.id}`, 'button'),
  );

  const header = document.createElement('div');
  header.className = 'stage-card-header';
  header.append(heading, badge);
  card.append(header, meta, actions);
  return card;
}

function stageLink(href: string, text: string, accessibleName: string, className: string): HTMLAnchorElement {
  const link = document.createElement('a');
  link.href = href;
  link.className = className;
  link.textContent = text;
  link.setAttribute('aria-label', accessibleName);
  return link;
}

function followOpenStageForm(): void {
  const form = byId('open-stage', HTMLFormElement);
  const input = byId('stage-name', HTMLInputElement);
  const error = byId('stage-name-error', HTMLElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim().toLowerCase();
    if (!isStageId(name)) {
      error.textContent = 'Use lowercase letters, digits and dashes, starting with a letter or digit (at most 64).';
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    const action = event.submitter instanceof HTMLButtonElement && event.submitter.value === 'speak' ? 'speak' : 'watch';
    location.assign(`/${action}/${name}`);
  });
  input.addEventListener('input', () => {
    error.hidden = true;
    input.removeAttribute('aria-invalid');
  });
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void refresh();
});
followOpenStageForm();
void refresh();
