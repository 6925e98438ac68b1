/**
 * The attendees' side of questions and polls, beside the live player of /watch and /embed: ask
 * (anonymous unless a name is given), see the approved questions and vote for them once, say how
 * many watch behind one screen, see what became of every question, and answer the open poll with
 * its results live. It acts over the player's own connection, as that member of the stage, and
 * asks for everything again after each rejoin. Loaded on demand, so the player starts first.
 */
import { effect, signal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { RequestName, RequestPayload, RequestResults } from '../../../shared/protocol';
import { AUTHOR_NAME_MAX_CHARACTERS, CHAT_MESSAGE_MAX_CHARACTERS, GROUP_SIZE_MAX, QUESTION_MAX_CHARACTERS } from '../../../shared/audienceLimits';
import type { ChatBoard } from '../../../shared/chat';
import type { AttendeeQuestions, Poll, PollBoard, PublicQuestion, PublicQuestionBoard, QuestionStatus } from '../../../shared/questions';
import { ApiFailure } from '../api/http';
import { errorText } from '../i18n/errors';
import { t } from '../i18n/language';
import type { PlainMessageKey } from '../i18n/translate';
import type { LivePlayer } from '../live/livePlayer';
import { SignallingError, type SignallingErrorCode } from '../signalling';
import { fieldText } from './formData';
import { questionOnScreen } from './QuestionOnScreen';

const STATUS_KEYS: Record<QuestionStatus, PlainMessageKey> = {
  pending: 'audience.status.pending',
  approved: 'audience.status.approved',
  answered: 'audience.status.answered',
  declined: 'audience.status.declined',
  merged: 'audience.status.merged',
};

/** Why the chat refused a message, in the attendee's words (slow mode and the per-minute limit alike read as writing too fast). */
const CHAT_REFUSAL_KEYS: Partial<Record<SignallingErrorCode, PlainMessageKey>> = {
  chat_muted: 'audience.chat.muted',
  chat_off: 'audience.chat.off',
  rate_limited: 'audience.chat.tooFast',
};

/** What a refused request says, in the page's language (a lost connection reads as the network's fault). */
export function requestFailureText(error: unknown): string {
  if (!(error instanceof SignallingError)) return errorText(error);
  const code = error.code === 'timeout' || error.code === 'disconnected' ? 'network' : error.code;
  return errorText(new ApiFailure(code, error.message));
}

/** How a question or chat message names its author: by the name given, else as anonymous. */
export function authorLabel(authorName: string): string {
  return authorName === '' ? t('audience.anonymous') : authorName;
}

/** The optional name of a question or message, left out when none was given. */
function givenName(authorName: string): { authorName?: string } {
  return authorName === '' ? {} : { authorName };
}

/**
 * The submit handler of a form with a text and a name field (a question, a chat message): sends
 * them trimmed and empties the text once sent; a refused text stays for the attendee to keep.
 */
function sendAndClear(textField: string, send: (text: string, authorName: string) => Promise<boolean>) {
  return (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    void send(fieldText(data, textField).trim(), fieldText(data, 'name').trim()).then((sent) => {
      if (sent) (form.elements.namedItem(textField) as HTMLInputElement | HTMLTextAreaElement).value = '';
    });
  };
}

/** One attendee's questions and polls on one stage, kept up to date from the server's pushes. */
class AudienceState {
  readonly board = signal<PublicQuestionBoard | null>(null);
  readonly mine = signal<AttendeeQuestions | null>(null);
  readonly polls = signal<PollBoard | null>(null);
  readonly ballots = signal<Record<string, number[]>>({});
  readonly chat = signal<ChatBoard | null>(null);
  readonly chatNotice = signal('');
  /** Read out by screen readers: new questions and polls as they come, and what the attendee's actions did. */
  readonly announcement = signal('');
  readonly askNotice = signal('');
  readonly groupNotice = signal('');
  readonly pollNotice = signal('');

  constructor(private readonly player: LivePlayer) {}

  /** Follows the pushes, and lists everything again at every join of the stage; returns the stop function. */
  start(): () => void {
    const { signalling } = this.player;
    const stops = [
      signalling.on('questions:board', (board) => this.showBoard(board)),
      signalling.on('questions:mine', (mine) => (this.mine.value = mine)),
      signalling.on('polls:board', (board) => this.showPolls(board)),
      signalling.on('chat:board', (board) => (this.chat.value = board)),
      effect(() => {
        if (this.player.joins.value > 0) void this.refresh();
      }),
    ];
    return () => {
      for (const stop of stops) stop();
      questionOnScreen.value = null;
    };
  }

  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<RequestResults[N]> {
    return this.player.signalling.request(name, payload);
  }

  async refresh(): Promise<void> {
    try {
      const [questions, polls, chat] = await Promise.all([this.request('questions:list', {}), this.request('polls:list', {}), this.request('chat:list', {})]);
      this.chat.value = chat;
      this.showBoard(questions.board);
      this.mine.value = questions.mine;
      this.showPolls(polls.board);
      this.ballots.value = polls.ballots;
    } catch {
      // Not joined (any more): the next join lists again.
    }
  }

  async ask(text: string, authorName: string): Promise<boolean> {
    try {
      await this.request('questions:ask', { text, ...givenName(authorName) });
      this.askNotice.value = t('audience.asked');
      return true;
    } catch (error) {
      this.askNotice.value = requestFailureText(error);
      return false;
    }
  }

  async vote(question: PublicQuestion, vote: boolean): Promise<void> {
    try {
      await this.request('questions:vote', { questionId: question.id, vote });
      const votedFor = this.mine.value?.votedFor ?? [];
      const mine = this.mine.value;
      if (mine) this.mine.value = { ...mine, votedFor: vote ? [...votedFor, question.id] : votedFor.filter((id) => id !== question.id) };
    } catch (error) {
      this.announcement.value = requestFailureText(error);
    }
  }

  async setGroupSize(size: number): Promise<void> {
    try {
      const { groupSize } = await this.request('questions:group', { size });
      const mine = this.mine.value;
      if (mine) this.mine.value = { ...mine, groupSize };
      this.groupNotice.value = groupSize < size ? t('audience.groupCapped', { count: groupSize }) : t('audience.groupSaved', { count: groupSize });
    } catch (error) {
      this.groupNotice.value = requestFailureText(error);
    }
  }

  async votePoll(poll: Poll, options: number[]): Promise<void> {
    try {
      await this.request('polls:vote', { pollId: poll.id, options });
      this.ballots.value = { ...this.ballots.value, [poll.id]: options };
      this.pollNotice.value = t('audience.poll.thanks');
    } catch (error) {
      this.pollNotice.value =
        error instanceof SignallingError && error.code === 'conflict' ? t('audience.poll.alreadyVotedOrClosed') : requestFailureText(error);
    }
  }

  async sendChat(text: string, authorName: string): Promise<boolean> {
    try {
      const sent = await this.request('chat:send', { text, ...givenName(authorName) });
      this.chatNotice.value = sent.status === 'held' ? t('audience.chat.held') : '';
      return true;
    } catch (error) {
      const refusal = error instanceof SignallingError ? CHAT_REFUSAL_KEYS[error.code] : undefined;
      this.chatNotice.value = refusal ? t(refusal) : requestFailureText(error);
      return false;
    }
  }

  private showBoard(board: PublicQuestionBoard): void {
    const before = this.board.value;
    if (before) {
      const known = new Set(before.questions.map((question) => question.id));
      const added = board.questions.filter((question) => !known.has(question.id));
      if (added.length > 0) this.announcement.value = t('audience.newQuestions', { count: added.length, text: added[0]!.text });
    }
    this.board.value = board;
    questionOnScreen.value = board.onScreen;
  }

  private showPolls(board: PollBoard): void {
    const before = this.polls.value;
    if (before) {
      const known = new Set(before.polls.map((poll) => poll.id));
      const opened = board.polls.find((poll) => !known.has(poll.id) && poll.closedAt === null);
      if (opened) this.announcement.value = t('audience.poll.opened', { question: opened.question });
    }
    this.polls.value = board;
  }
}

export function AudiencePanel({ player }: { player: LivePlayer }) {
  const state = useMemo(() => new AudienceState(player), [player]);
  useEffect(() => state.start(), [state]);
  return (
    <>
      <p class="visually-hidden" role="status" aria-live="polite">
        {state.announcement.value}
      </p>
      <PollPanel state={state} />
      <QuestionPanel state={state} />
      <ChatPanel state={state} />
    </>
  );
}

function QuestionPanel({ state }: { state: AudienceState }) {
  const board = state.board.value;
  const mine = state.mine.value;
  return (
    <section class="panel audience" aria-labelledby="questions-heading">
      <h2 id="questions-heading">{t('audience.questionsHeading')}</h2>
      <AskForm state={state} />
      {mine && mine.asked.length > 0 && <MyQuestions asked={mine.asked} />}
      {board && <p class="meta question-counts">{t('audience.counts', board.counts)}</p>}
      {board && board.questions.length === 0 && <p>{t('audience.noQuestions')}</p>}
      {board && board.questions.length > 0 && (
        <ol class="question-list" aria-label={t('audience.approvedHeading')}>
          {board.questions.map((question) => (
            <QuestionItem key={question.id} question={question} voted={mine?.votedFor.includes(question.id) ?? false} state={state} />
          ))}
        </ol>
      )}
      <GroupForm state={state} groupSize={mine?.groupSize ?? 1} />
    </section>
  );
}

function AskForm({ state }: { state: AudienceState }) {
  return (
    <form class="ask-form" onSubmit={sendAndClear('text', (text, name) => state.ask(text, name))}>
      <div class="field">
        <label for="question-text">{t('audience.yourQuestion')}</label>
        <textarea id="question-text" name="text" required maxLength={QUESTION_MAX_CHARACTERS} rows={3} />
      </div>
      <div class="field">
        <label for="question-name">{t('audience.yourName')}</label>
        <input id="question-name" name="name" maxLength={AUTHOR_NAME_MAX_CHARACTERS} autocomplete="name" aria-describedby="question-name-hint" />
        <p id="question-name-hint" class="hint">
          {t('audience.anonymousHint')}
        </p>
      </div>
      <button class="button button-primary" type="submit">
        {t('audience.ask')}
      </button>
      <p id="ask-status" class="status" role="status">
        {state.askNotice.value}
      </p>
    </form>
  );
}

/** The attendee's own questions, whatever became of them: moderation is visible, not silent. */
function MyQuestions({ asked }: { asked: PublicQuestion[] }) {
  return (
    <div class="my-questions">
      <h3>{t('audience.myQuestions')}</h3>
      <ul>
        {asked.map((question) => (
          <li key={question.id} data-question={question.id} data-status={question.status}>
            <span class="question-text">{question.text}</span>{' '}
            <span class="meta">
              {t(STATUS_KEYS[question.status])}
              {question.edited && ` · ${t('audience.edited')}`}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function QuestionItem({ question, voted, state }: { question: PublicQuestion; voted: boolean; state: AudienceState }) {
  const textId = `question-${question.id}`;
  const answered = question.status === 'answered';
  return (
    <li class="question" data-question={question.id} data-status={question.status}>
      <p id={textId} class="question-text">
        {question.text}
      </p>
      <p class="meta">
        {authorLabel(question.authorName)}
        {question.edited && ` · ${t('audience.edited')}`}
        {answered && (
          <>
            {' · '}
            <strong class="answered-mark">{t('audience.status.answered')}</strong>
          </>
        )}
      </p>
      <p class="question-votes">
        <span class="vote-count">{t('audience.votes', { count: question.votes })}</span>
        {!answered && (
          <button class="button" type="button" aria-pressed={voted} aria-describedby={textId} onClick={() => void state.vote(question, !voted)}>
            {voted ? t('audience.voted') : t('audience.vote')}
          </button>
        )}
      </p>
    </li>
  );
}

/** "We are N here": colleagues behind one screen vote once, counted N times (up to the server's cap). */
function GroupForm({ state, groupSize }: { state: AudienceState; groupSize: number }) {
  // Set when the server's figure changes, not on every push: the attendee may be typing.
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    field.current!.value = String(groupSize);
  }, [groupSize]);
  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void state.setGroupSize(Number(fieldText(new FormData(event.currentTarget), 'size')));
  };
  return (
    <form class="group-form control-inline" onSubmit={onSubmit}>
      <div class="field">
        <label for="group-size">{t('audience.groupSize')}</label>
        <input ref={field} id="group-size" name="size" type="number" min={1} max={GROUP_SIZE_MAX} required />
      </div>
      <button class="button" type="submit">
        {t('audience.groupSave')}
      </button>
      <p id="group-status" class="status" role="status">
        {state.groupNotice.value}
      </p>
    </form>
  );
}

/** The open polls to answer, and every poll's results (closed ones stay with the talk). */
function PollPanel({ state }: { state: AudienceState }) {
  const polls = state.polls.value?.polls ?? [];
  if (polls.length === 0) return null;
  return (
    <section class="panel audience-polls" aria-labelledby="polls-heading">
      <h2 id="polls-heading">{t('audience.poll.heading')}</h2>
      {polls.map((poll) => (
        <PollItem key={poll.id} poll={poll} ballot={state.ballots.value[poll.id]} state={state} />
      ))}
      <p id="poll-status" class="status" role="status">
        {state.pollNotice.value}
      </p>
    </section>
  );
}

function PollItem({ poll, ballot, state }: { poll: Poll; ballot: number[] | undefined; state: AudienceState }) {
  const open = poll.closedAt === null;
  if (open && !ballot) return <PollBallot poll={poll} state={state} />;
  return <PollResults poll={poll} ballot={ballot} />;
}

function PollBallot({ poll, state }: { poll: Poll; state: AudienceState }) {
  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const picked = new FormData(event.currentTarget).getAll('option').map(Number);
    if (picked.length === 0) {
      state.pollNotice.value = t('audience.poll.pickOne');
      return;
    }
    void state.votePoll(poll, picked);
  };
  const type = poll.multiple ? 'checkbox' : 'radio';
  return (
    <form class="poll" data-poll={poll.id} onSubmit={onSubmit}>
      <fieldset>
        <legend class="poll-question">{poll.question}</legend>
        {poll.multiple && <p class="hint">{t('audience.poll.multiple')}</p>}
        {poll.options.map((option, position) => (
          <label key={position} class="poll-option">
            <input type={type} name="option" value={String(position)} /> {option.label}
          </label>
        ))}
      </fieldset>
      <button class="button button-primary" type="submit">
        {t('audience.poll.vote')}
      </button>
    </form>
  );
}

export function PollResults({ poll, ballot }: { poll: Poll; ballot?: number[] | undefined }) {
  return (
    <div class="poll poll-results" data-poll={poll.id}>
      <h3 class="poll-question">{poll.question}</h3>
      <p class="meta">
        {poll.closedAt === null ? t('audience.poll.live') : t('audience.poll.closed')} · {t('audience.poll.ballots', { count: poll.ballots })}
      </p>
      <ul class="poll-bars">
        {poll.options.map((option, position) => {
          const share = poll.ballots === 0 ? 0 : Math.round((option.votes / poll.ballots) * 100);
          return (
            <li key={position} data-option={position}>
              <span class="poll-bar-label">
                {option.label}
                {ballot?.includes(position) && ` (${t('audience.poll.yourChoice')})`}
              </span>
              <span class="poll-bar-figure">{t('audience.poll.result', { count: option.votes, share })}</span>
              <span class="poll-bar" aria-hidden="true">
                <span style={{ width: `${share}%` }} />
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** The stage's chat, when its moderators have turned it on: the latest messages as a log, and a line to write. */
function ChatPanel({ state }: { state: AudienceState }) {
  const chat = state.chat.value;
  if (!chat?.enabled) return null;
  return (
    <section class="panel audience-chat" aria-labelledby="chat-heading">
      <h2 id="chat-heading">{t('audience.chat.heading')}</h2>
      {chat.slowModeSeconds > 0 && <p class="meta">{t('audience.chat.slowMode', { count: chat.slowModeSeconds })}</p>}
      {chat.messages.length === 0 && <p>{t('audience.chat.empty')}</p>}
      {/* Scrolls, so it takes the focus for keyboard users to scroll it. */}
      <div class="chat-log" role="log" aria-labelledby="chat-heading" tabIndex={0}>
        <ol>
          {chat.messages.map((message) => (
            <li key={message.id} data-message={message.id}>
              <strong>{authorLabel(message.authorName)}</strong> <span class="chat-text">{message.text}</span>
            </li>
          ))}
        </ol>
      </div>
      <form class="chat-form" onSubmit={sendAndClear('message', (text, name) => state.sendChat(text, name))}>
        <div class="field">
          <label for="chat-message">{t('audience.chat.message')}</label>
          <input id="chat-message" name="message" required maxLength={CHAT_MESSAGE_MAX_CHARACTERS} autocomplete="off" />
        </div>
        <div class="field">
          <label for="chat-name">{t('audience.chat.name')}</label>
          <input id="chat-name" name="name" maxLength={AUTHOR_NAME_MAX_CHARACTERS} autocomplete="nickname" />
        </div>
        <button class="button button-primary" type="submit">
          {t('audience.chat.send')}
        </button>
        <p id="chat-status" class="status" role="status">
          {state.chatNotice.value}
        </p>
      </form>
    </section>
  );
}
