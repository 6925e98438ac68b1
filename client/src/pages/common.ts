/** What the stage pages (watch, embed, speak) share: the stage their address names. */
import { isStageId } from '../../../shared/ids';

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
