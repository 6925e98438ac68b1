/** Programme logic without rendering, so test/unit can check it. */
import type { ProgrammeTalk } from '../../../shared/protocol.js';

/** The talk on now (its planned times span `now`) and the first one that starts later. */
export function nowAndNext(talks: readonly ProgrammeTalk[], now: number): { current?: ProgrammeTalk; next?: ProgrammeTalk } {
  const current = talks.find((talk) => Date.parse(talk.plannedStart) <= now && now < Date.parse(talk.plannedEnd));
  const next = talks.find((talk) => Date.parse(talk.plannedStart) > now);
  return { current, next };
}
