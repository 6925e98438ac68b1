/**
 * A stage's moderation over HTTP: acting on questions, their order, the question on screen, polls, the chat.
 * A moderator link's holder sends its invite in X-Estrad-Invite; a technician's session cookie
 * goes by itself.
 */
import type { ChatAction, ChatSettings, ModeratorChatBoard } from '../../../shared/chat';
import type { ModerationAction, Poll, PollBoard, QuestionOnScreenAnswer } from '../../../shared/questions';
import { getJson, sendJson } from './http';

export interface PollDraft {
  question: string;
  options: string[];
  multiple: boolean;
}

export function moderationApi(stageId: string, invite: string | undefined) {
  const headers = invite ? { 'x-estrad-invite': invite } : undefined;
  const stage = `/api/stages/${encodeURIComponent(stageId)}`;
  return {
    act: (questionId: string, action: ModerationAction) => sendJson('POST', `${stage}/questions/${encodeURIComponent(questionId)}/actions`, action, headers),
    order: (questionIds: string[]) => sendJson('PUT', `${stage}/questions/order`, { questionIds }, headers),
    pin: (questionId: string | null): Promise<QuestionOnScreenAnswer> => sendJson('PUT', `${stage}/questions/on-screen`, { questionId }, headers),
    polls: (): Promise<PollBoard> => getJson(`${stage}/polls`, headers),
    openPoll: (draft: PollDraft): Promise<Poll> => sendJson('POST', `${stage}/polls`, draft, headers),
    closePoll: (pollId: string): Promise<Poll> => sendJson('POST', `${stage}/polls/${encodeURIComponent(pollId)}/close`, undefined, headers),
    chat: (): Promise<ModeratorChatBoard> => getJson(`${stage}/chat`, headers),
    configureChat: (settings: ChatSettings): Promise<ModeratorChatBoard> => sendJson('PUT', `${stage}/chat`, settings, headers),
    actOnMessage: (messageId: string, action: ChatAction): Promise<ModeratorChatBoard> =>
      sendJson('POST', `${stage}/chat/messages/${encodeURIComponent(messageId)}/actions`, action, headers),
  };
}

export type ModerationApi = ReturnType<typeof moderationApi>;
