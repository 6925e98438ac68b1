/**
 * `/moderate/<stage>`: the stage's moderation, laid out for a tablet a panel host holds. Incoming
 * questions arrive live; the moderator approves, declines, corrects typos, merges duplicates,
 * marks answered, reorders and puts one question on screen in every player; opens and closes
 * polls and follows their results. Technicians come with their session; a moderator with the link
 * a technician made (`?invite=`), which opens this stage's moderation and nothing else.
 */
import '../styles.css';
import '../components/pages.css';
// Before anything renders: the page's own messages.
import '../i18n/moderationMessages';
import { signal } from '@preact/signals';
import { render, type TargetedSubmitEvent } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { POLL_MAX_OPTIONS, POLL_OPTION_MAX_CHARACTERS, POLL_QUESTION_MAX_CHARACTERS, QUESTION_MAX_CHARACTERS } from '../../../shared/audienceLimits';
import type { ChatAction, ModeratorChatBoard } from '../../../shared/chat';
import type { ModeratedQuestion, ModerationAction, ModeratorQuestionBoard, Poll } from '../../../shared/questions';
import { moderationApi } from '../api/moderation';
import { authorLabel, PollResults, requestFailureText } from '../components/AudiencePanel';
import { fieldText } from '../components/formData';
import { Layout } from '../components/Layout';
import { MissingStage } from '../components/MissingStage';
import { loadStageInfo, stageInfo } from '../components/stageInfo';
import { errorText } from '../i18n/errors';
import { t, time } from '../i18n/language';
import { Signalling } from '../signalling';
import { stageIdFromLocation } from './common';

type ModeratorChatMessage = ModeratorChatBoard['messages'][number];
type Access = { kind: 'checking' } | { kind: 'allowed' } | { kind: 'refused'; text: string };

const stageId = stageIdFromLocation();
const invite = new URLSearchParams(location.search).get('invite') ?? undefined;
const api = moderationApi(stageId ?? '', invite);
/** Times are read where the moderator sits. */
const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const access = signal<Access>({ kind: 'checking' });
const board = signal<ModeratorQuestionBoard | null>(null);
const polls = signal<Poll[]>([]);
const chat = signal<ModeratorChatBoard | null>(null);
/** What the last action did, or why it failed. */
const notice = signal('');
/** New incoming questions, read out by screen readers. */
const announcement = signal('');
const editing = signal<string | null>(null);
const pollOptionCount = signal(2);

function showBoard(next: ModeratorQuestionBoard): void {
  const before = board.value;
  if (before) {
    const known = new Set(before.questions.map((question) => question.id));
    const incoming = next.questions.filter((question) => !known.has(question.id) && question.status === 'pending');
    if (incoming.length > 0) announcement.value = t('moderate.newIncoming', { count: incoming.length, text: incoming[0]!.text });
  }
  board.value = next;
}

/** Follows the stage's moderation over the socket, again after every reconnect. */
function follow(stage: string): void {
  const signalling = new Signalling();
  const start = async () => {
    try {
      showBoard(await signalling.request('questions:moderate', { stageId: stage }));
      access.value = { kind: 'allowed' };
      const [pollBoard, chatBoard] = await Promise.all([api.polls(), api.chat()]);
      polls.value = pollBoard.polls;
      chat.value = chatBoard;
    } catch (error) {
      if (board.value === null) access.value = { kind: 'refused', text: requestFailureText(error) };
      else notice.value = requestFailureText(error);
    }
  };
  signalling.on('questions:moderation', showBoard);
  signalling.on('polls:board', (next) => (polls.value = next.polls));
  signalling.on('chat:moderation', (next) => (chat.value = next));
  signalling.on('moderation:ended', () => (access.value = { kind: 'refused', text: t('moderate.revoked') }));
  signalling.onConnectionChange((connected) => {
    if (connected) void start();
  });
  if (signalling.connected) void start();
}

/** Runs a moderation request and says what came of it; the board itself arrives as a push. */
async function act(done: string, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    notice.value = t('control.done', { what: done });
    return true;
  } catch (error) {
    notice.value = errorText(error);
    return false;
  }
}

const moderate = (question: ModeratedQuestion, action: ModerationAction, done: string) => act(done, () => api.act(question.id, action));

function ModeratePage({ stage }: { stage: string }) {
  const title = stageInfo.value.listing?.title ?? stage;
  const current = access.value;
  return (
    <Layout title={t('moderate.pageTitle', { stage: title })} wide>
      <h1>{t('moderate.pageTitle', { stage: title })}</h1>
      <p class="status" role="status">
        {notice.value}
      </p>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announcement.value}
      </p>
      {current.kind === 'checking' && <p>{t('control.loading')}</p>}
      {current.kind === 'refused' && (
        <div class="problem" role="alert">
          <p>{current.text}</p>
          <p>
            {t('moderate.refusedHint')} <a href="/control">{t('moderate.toControl')}</a>
          </p>
        </div>
      )}
      {current.kind === 'allowed' && board.value && <Moderation board={board.value} />}
    </Layout>
  );
}

function Moderation({ board: current }: { board: ModeratorQuestionBoard }) {
  const byStatus = (status: ModeratedQuestion['status']) => current.questions.filter((question) => question.status === status);
  const approved = byStatus('approved');
  return (
    <>
      <OnScreen board={current} />
      <p class="meta question-counts">{t('audience.counts', current.counts)}</p>
      <div class="moderate-columns">
        <section class="panel" aria-labelledby="incoming-heading">
          <h2 id="incoming-heading">{t('moderate.incoming')}</h2>
          <QuestionList questions={byStatus('pending')} empty={t('moderate.noIncoming')} board={current} />
        </section>
        <section class="panel" aria-labelledby="approved-heading">
          <h2 id="approved-heading">{t('moderate.approved')}</h2>
          <QuestionList questions={approved} empty={t('moderate.noApproved')} board={current} order={approved} />
        </section>
      </div>
      <div class="moderate-columns">
        <Polls />
        <section class="panel" aria-labelledby="done-heading">
          <h2 id="done-heading">{t('moderate.answeredAndDeclined')}</h2>
          <QuestionList questions={[...byStatus('answered'), ...byStatus('declined')]} empty={t('moderate.noneDone')} board={current} />
        </section>
      </div>
      {chat.value && <Chat board={chat.value} />}
    </>
  );
}

function OnScreen({ board: current }: { board: ModeratorQuestionBoard }) {
  const pinned = current.onScreen;
  return (
    <section class="panel moderate-on-screen" aria-labelledby="on-screen-heading">
      <h2 id="on-screen-heading">{t('moderate.onScreenNow')}</h2>
      {pinned ? (
        <>
          <p id="moderator-on-screen" class="on-screen-text">
            {pinned.text}
          </p>
          <p class="meta">{t('moderate.pinnedAt', { time: time(pinned.pinnedAt, localZone) })}</p>
          <button class="button" type="button" onClick={() => void act(t('moderate.unpin'), () => api.pin(null))}>
            {t('moderate.unpin')}
          </button>
        </>
      ) : (
        <p>{t('moderate.nothingOnScreen')}</p>
      )}
    </section>
  );
}

function QuestionList({
  questions,
  empty,
  board: current,
  order,
}: {
  questions: ModeratedQuestion[];
  empty: string;
  board: ModeratorQuestionBoard;
  /** The approved questions in their order, for moving one up or down. */
  order?: ModeratedQuestion[];
}) {
  if (questions.length === 0) return <p>{empty}</p>;
  return (
    <ol class="question-list">
      {questions.map((question, index) => (
        <ModeratedItem key={question.id} question={question} board={current} order={order} index={index} />
      ))}
    </ol>
  );
}

function ModeratedItem({
  question,
  board: current,
  order,
  index,
}: {
  question: ModeratedQuestion;
  board: ModeratorQuestionBoard;
  order: ModeratedQuestion[] | undefined;
  index: number;
}) {
  const textId = `moderated-${question.id}`;
  const pinned = current.onScreen?.id === question.id;
  return (
    <li class="question moderated" data-question={question.id} data-status={question.status}>
      {editing.value === question.id ? (
        <EditForm question={question} />
      ) : (
        <p id={textId} class="question-text">
          {question.text}
        </p>
      )}
      <p class="meta">
        {authorLabel(question.authorName)} · {time(question.createdAt, localZone)} · {t('audience.votes', { count: question.votes })}
        {pinned && ` · ${t('audience.onScreen')}`}
      </p>
      {question.originalText !== null && <p class="meta">{t('moderate.original', { text: question.originalText })}</p>}
      <div class="actions moderate-actions">
        <QuestionActions question={question} pinned={pinned} textId={textId} />
        {order && <OrderButtons order={order} index={index} textId={textId} />}
      </div>
      {question.status !== 'declined' && <MergeForm question={question} board={current} />}
    </li>
  );
}

function QuestionActions({ question, pinned, textId }: { question: ModeratedQuestion; pinned: boolean; textId: string }) {
  const button = (label: string, action: ModerationAction, kind = '') => (
    <button class={`button ${kind}`} type="button" aria-describedby={textId} onClick={() => void moderate(question, action, label)}>
      {label}
    </button>
  );
  const edit = (
    <button class="button" type="button" aria-describedby={textId} onClick={() => (editing.value = question.id)}>
      {t('moderate.edit')}
    </button>
  );
  switch (question.status) {
    case 'pending':
      return (
        <>
          {button(t('moderate.approve'), { action: 'approve' }, 'button-primary')}
          {button(t('moderate.decline'), { action: 'decline' }, 'button-danger')}
          {edit}
        </>
      );
    case 'approved':
      return (
        <>
          <button
            class="button button-primary"
            type="button"
            aria-pressed={pinned}
            aria-describedby={textId}
            onClick={() => void act(pinned ? t('moderate.unpin') : t('moderate.pin'), () => api.pin(pinned ? null : question.id))}
          >
            {t('moderate.pin')}
          </button>
          {button(t('moderate.markAnswered'), { action: 'answer' })}
          {edit}
          {button(t('moderate.decline'), { action: 'decline' }, 'button-danger')}
        </>
      );
    case 'answered':
    case 'declined':
      return button(t('moderate.reopen'), { action: 'reopen' });
    case 'merged':
      return null;
  }
}

function OrderButtons({ order, index, textId }: { order: ModeratedQuestion[]; index: number; textId: string }) {
  const move = (by: -1 | 1, label: string) => {
    const ids = order.map((question) => question.id);
    [ids[index], ids[index + by]] = [ids[index + by]!, ids[index]!];
    void act(label, () => api.order(ids));
  };
  return (
    <>
      <button class="button" type="button" aria-describedby={textId} disabled={index === 0} onClick={() => move(-1, t('moderate.up'))}>
        {t('moderate.up')}
      </button>
      <button class="button" type="button" aria-describedby={textId} disabled={index === order.length - 1} onClick={() => move(1, t('moderate.down'))}>
        {t('moderate.down')}
      </button>
    </>
  );
}

function EditForm({ question }: { question: ModeratedQuestion }) {
  const fieldId = `edit-${question.id}`;
  // Filled once: pushes re-render the board while the moderator types.
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    field.current!.value = question.text;
    field.current!.focus();
  }, []);
  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = fieldText(new FormData(event.currentTarget), 'text').trim();
    void moderate(question, { action: 'edit', text }, t('moderate.save')).then((done) => {
      if (done) editing.value = null;
    });
  };
  return (
    <form class="edit-form" onSubmit={onSubmit}>
      <div class="field">
        <label for={fieldId}>{t('moderate.editLabel')}</label>
        <textarea ref={field} id={fieldId} name="text" required maxLength={QUESTION_MAX_CHARACTERS} rows={3} />
      </div>
      <div class="actions">
        <button class="button button-primary" type="submit">
          {t('moderate.save')}
        </button>
        <button class="button" type="button" onClick={() => (editing.value = null)}>
          {t('moderate.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Joins a duplicate to another question: votes and "we are N" add up there, and this one points to it. */
function MergeForm({ question, board: current }: { question: ModeratedQuestion; board: ModeratorQuestionBoard }) {
  const targets = current.questions.filter((other) => other.id !== question.id && other.status !== 'merged' && other.status !== 'declined');
  if (targets.length === 0) return null;
  const fieldId = `merge-${question.id}`;
  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const into = fieldText(new FormData(event.currentTarget), 'into');
    void moderate(question, { action: 'merge', into }, t('moderate.merge'));
  };
  return (
    <form class="control-inline merge-form" onSubmit={onSubmit}>
      <div class="field">
        <label for={fieldId}>{t('moderate.mergeInto')}</label>
        <select id={fieldId} name="into" required>
          {targets.map((other) => (
            <option key={other.id} value={other.id}>
              {shortened(other.text)}
            </option>
          ))}
        </select>
      </div>
      <button class="button" type="submit">
        {t('moderate.merge')}
      </button>
    </form>
  );
}

function shortened(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function Polls() {
  return (
    <section class="panel" aria-labelledby="moderate-polls-heading">
      <h2 id="moderate-polls-heading">{t('moderate.pollsHeading')}</h2>
      <NewPollForm />
      {polls.value.length === 0 && <p>{t('moderate.noPolls')}</p>}
      {polls.value.map((poll) => (
        <div key={poll.id} class="moderated-poll">
          <PollResults poll={poll} />
          {poll.closedAt === null && (
            <button class="button button-danger" type="button" onClick={() => void act(t('moderate.closePoll'), () => api.closePoll(poll.id))}>
              {t('moderate.closePoll')}
            </button>
          )}
        </div>
      ))}
    </section>
  );
}

function NewPollForm() {
  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const options = data
      .getAll('option')
      .map((option) => (typeof option === 'string' ? option.trim() : ''))
      .filter((option) => option !== '');
    const draft = { question: fieldText(data, 'question').trim(), options, multiple: data.get('multiple') === 'on' };
    void act(t('moderate.openPoll'), () => api.openPoll(draft)).then((done) => {
      if (!done) return;
      form.reset();
      pollOptionCount.value = 2;
    });
  };
  return (
    <form class="new-poll" onSubmit={onSubmit}>
      <div class="field">
        <label for="poll-question">{t('moderate.pollQuestion')}</label>
        <input id="poll-question" name="question" required maxLength={POLL_QUESTION_MAX_CHARACTERS} />
      </div>
      {Array.from({ length: pollOptionCount.value }, (_unused, position) => (
        <div key={position} class="field">
          <label for={`poll-option-${position}`}>{t('moderate.pollOption', { number: position + 1 })}</label>
          <input id={`poll-option-${position}`} name="option" required={position < 2} maxLength={POLL_OPTION_MAX_CHARACTERS} />
        </div>
      ))}
      <label class="poll-option">
        <input type="checkbox" name="multiple" /> {t('moderate.multiple')}
      </label>
      <div class="actions">
        <button class="button" type="button" disabled={pollOptionCount.value >= POLL_MAX_OPTIONS} onClick={() => pollOptionCount.value++}>
          {t('moderate.addOption')}
        </button>
        <button class="button button-primary" type="submit">
          {t('moderate.openPoll')}
        </button>
      </div>
    </form>
  );
}

/** The stage's chat: on or off, slow mode, the word filter; and each message, to delete, release or mute its author. */
function Chat({ board: current }: { board: ModeratorChatBoard }) {
  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const heldWords = fieldText(data, 'heldWords')
      .split('\n')
      .map((word) => word.trim())
      .filter((word) => word !== '');
    const settings = { enabled: data.get('enabled') === 'on', slowModeSeconds: Number(fieldText(data, 'slowMode')), heldWords };
    void act(t('moderate.chat.save'), () => api.configureChat(settings));
  };
  return (
    <section class="panel moderate-chat" aria-labelledby="moderate-chat-heading">
      <h2 id="moderate-chat-heading">{t('moderate.chat.heading')}</h2>
      <form class="chat-settings" onSubmit={onSubmit}>
        <label class="poll-option">
          <input type="checkbox" name="enabled" defaultChecked={current.enabled} /> {t('moderate.chat.enabled')}
        </label>
        <div class="field">
          <label for="chat-slow-mode">{t('moderate.chat.slowMode')}</label>
          <input id="chat-slow-mode" name="slowMode" type="number" min={0} max={3600} required defaultValue={String(current.slowModeSeconds)} />
        </div>
        <div class="field">
          <label for="chat-held-words">{t('moderate.chat.heldWords')}</label>
          <textarea id="chat-held-words" name="heldWords" rows={3} defaultValue={current.heldWords.join('\n')} />
        </div>
        <button class="button button-primary" type="submit">
          {t('moderate.chat.save')}
        </button>
      </form>
      {current.messages.length === 0 ? (
        <p>{t('moderate.chat.empty')}</p>
      ) : (
        <ol class="question-list chat-moderation">
          {current.messages.map((message) => (
            <ModeratedMessage key={message.id} message={message} />
          ))}
        </ol>
      )}
    </section>
  );
}

/** One chat message as the moderators see it, held and deleted ones too, with what they may do to it. */
function ModeratedMessage({ message }: { message: ModeratorChatMessage }) {
  const textId = `chat-${message.id}`;
  const button = (label: string, action: ChatAction, kind = '') => (
    <button class={`button ${kind}`} type="button" aria-describedby={textId} onClick={() => void act(label, () => api.actOnMessage(message.id, action))}>
      {label}
    </button>
  );
  return (
    <li class="question" data-message={message.id} data-status={message.status}>
      <p id={textId} class="question-text">
        {message.text}
      </p>
      <p class="meta">
        {authorLabel(message.authorName)} · {time(message.createdAt, localZone)}
        {message.status === 'held' && ` · ${t('moderate.chat.held')}`}
        {message.status === 'deleted' && ` · ${t('moderate.chat.deleted')}`}
        {message.authorMutedUntil && ` · ${t('moderate.chat.mutedUntil', { time: time(message.authorMutedUntil, localZone) })}`}
      </p>
      <div class="actions moderate-actions">
        {message.status === 'held' && button(t('moderate.chat.release'), { action: 'release' }, 'button-primary')}
        {message.status !== 'deleted' && button(t('moderate.chat.delete'), { action: 'delete' }, 'button-danger')}
        {button(t('moderate.chat.mute'), { action: 'mute', minutes: 10 })}
      </div>
    </li>
  );
}

if (stageId) {
  render(<ModeratePage stage={stageId} />, document.getElementById('app')!);
  void loadStageInfo(stageId);
  follow(stageId);
} else {
  render(<MissingStage />, document.getElementById('app')!);
}
