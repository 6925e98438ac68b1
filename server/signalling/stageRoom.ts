/** The socket.io room of a stage's clients. */
export function stageRoom(stageId: string): string {
  return `stage:${stageId}`;
}

/** Technicians following a stage's question moderation. */
export function moderationRoom(stageId: string): string {
  return `moderation:${stageId}`;
}

/** One attendee's sockets on a stage (their tabs and reconnects), told when their own questions change. */
export function attendeeRoom(stageId: string, voterKey: string): string {
  return `attendee:${stageId}:${voterKey}`;
}

/** Technicians' control rooms following the health of every stage and the alerts. */
export const CONTROL_ROOM = 'control-room';

/** Technicians monitoring a stage: told of its speakers, backstage and on air. */
export function monitorRoom(stageId: string): string {
  return `monitor:${stageId}`;
}
