/** Words for the media core's codes (client/src/live/ names what happened; the pages say it). */
import type { HlsProblem } from '../live/liveHls';
import type { LiveProblem } from '../live/session';
import { t } from './language';

export function problemText(problem: LiveProblem | HlsProblem): string {
  return t(`live.problem.${problem}`);
}
