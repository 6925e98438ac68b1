/** The socket.io room of a stage's clients. */
export function stageRoom(stageId: string): string {
  return `stage:${stageId}`;
}
