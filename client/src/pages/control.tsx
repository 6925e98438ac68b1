/** `/control`: the technicians' control room: sign in, alerts and health, stages with their programme, recording, speaker invites and ingest points, technicians, the audit log. */
import '../styles.css';
import '../components/pages.css';
// Before anything renders: the page's own messages.
import '../i18n/controlMessages';
import { signal } from '@preact/signals';
import { render, type TargetedSubmitEvent } from 'preact';
import type { AuditEntry, EventSummary, InviteResponse, TechnicianInfo } from '../../../shared/protocol';
import {
  addTechnician,
  createStage,
  deleteStage,
  fetchAuditLog,
  fetchTechnicians,
  inviteModerator,
  inviteSpeaker,
  placeSpeaker,
  renameStage,
  takeProgram,
  resetPassword,
  setDisabled,
  signIn,
  signOut,
  whoAmI,
} from '../api/control';
import { fetchEvents } from '../api/events';
import { AlertsPanel } from '../components/AlertsPanel';
import { followHealth, stopFollowingHealth } from '../components/controlRoomHealth';
import { HealthPanel } from '../components/HealthPanel';
import { ApiFailure } from '../api/http';
import { StageMonitorPanel } from '../components/StageMonitorPanel';
import { fieldText } from '../components/formData';
import { IngestPanel } from '../components/IngestPanel';
import { Layout } from '../components/Layout';
import { ProgrammeEditor } from '../components/ProgrammeEditor';
import { RecordingPanel } from '../components/RecordingPanel';
import { SlatePanel } from '../components/SlatePanel';
import { errorText } from '../i18n/errors';
import { date, t, time } from '../i18n/language';

type Session = { kind: 'checking' } | { kind: 'signedOut' } | { kind: 'signedIn'; username: string };

const session = signal<Session>({ kind: 'checking' });
const events = signal<EventSummary[]>([]);
const technicians = signal<TechnicianInfo[]>([]);
const audit = signal<AuditEntry[]>([]);
const invites = signal<ReadonlyMap<string, InviteResponse>>(new Map());
const moderatorLinks = signal<ReadonlyMap<string, string>>(new Map());
/** The audit log is read where the technician sits. */
const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
/** What the last action did, or why it failed; read out by screen readers. */
const notice = signal('');

function signedIn(username: string): void {
  session.value = { kind: 'signedIn', username };
  // The socket's handshake carries the session cookie just set.
  followHealth();
}

function signedOut(): void {
  session.value = { kind: 'signedOut' };
  stopFollowingHealth();
}

/** A stage's title as the programme names it. */
function stageTitle(stageId: string): string {
  return events.value.flatMap((event) => event.stages).find((stage) => stage.id === stageId)?.title ?? stageId;
}

async function checkSession(): Promise<void> {
  try {
    signedIn((await whoAmI()).technician.username);
    await refresh();
  } catch {
    signedOut();
  }
}

async function refresh(): Promise<void> {
  const [eventList, technicianList, log] = await Promise.all([fetchEvents(), fetchTechnicians(), fetchAuditLog()]);
  events.value = eventList.events;
  technicians.value = technicianList.technicians;
  audit.value = log.entries;
}

/** Runs an action, then shows what it did (or why not) and the state it left. */
async function act(what: string, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    notice.value = t('control.done', { what });
  } catch (error) {
    notice.value = errorText(error);
    if (error instanceof ApiFailure && error.code === 'unauthorized') signedOut();
    return false;
  }
  await refresh().catch(() => undefined);
  return true;
}

function submitted(event: TargetedSubmitEvent<HTMLFormElement>): { form: HTMLFormElement; data: FormData } {
  event.preventDefault();
  return { form: event.currentTarget, data: new FormData(event.currentTarget) };
}

async function onSignIn(event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> {
  const { data } = submitted(event);
  try {
    const { technician } = await signIn({ username: fieldText(data, 'username'), password: fieldText(data, 'password') });
    notice.value = '';
    signedIn(technician.username);
    await refresh();
  } catch (error) {
    notice.value = error instanceof ApiFailure && error.code === 'unauthorized' ? t('control.wrongPassword') : errorText(error);
  }
}

async function onSignOut(): Promise<void> {
  await signOut().catch(() => undefined);
  signedOut();
  notice.value = t('control.signedOut');
}

function ControlPage() {
  const current = session.value;
  return (
    <Layout title={t('control.pageTitle')}>
      <h1>{t('control.pageTitle')}</h1>
      <p class="status" role="status">
        {notice.value}
      </p>
      {current.kind === 'checking' && <p>{t('control.loading')}</p>}
      {current.kind === 'signedOut' && <SignInForm />}
      {current.kind === 'signedIn' && (
        <>
          <p>
            {t('control.signedInAs', { name: current.username })}{' '}
            <button class="button" type="button" onClick={() => void onSignOut()}>
              {t('control.signOut')}
            </button>
          </p>
          <AlertsPanel stageTitle={stageTitle} />
          <HealthPanel stageTitle={stageTitle} />
          <Stages />
          <Technicians />
          <AuditLog />
        </>
      )}
    </Layout>
  );
}

function SignInForm() {
  return (
    <form class="panel" aria-labelledby="sign-in-heading" onSubmit={(event) => void onSignIn(event)}>
      <h2 id="sign-in-heading">{t('control.signInHeading')}</h2>
      <div class="field">
        <label for="sign-in-username">{t('control.username')}</label>
        <input id="sign-in-username" name="username" autocomplete="username" required maxLength={64} />
      </div>
      <div class="field">
        <label for="sign-in-password">{t('control.password')}</label>
        <input id="sign-in-password" name="password" type="password" autocomplete="current-password" required maxLength={256} />
      </div>
      <button class="button button-primary" type="submit">
        {t('control.signIn')}
      </button>
    </form>
  );
}

function Stages() {
  const stages = events.value.flatMap((event) => event.stages);
  return (
    <section aria-labelledby="stages-heading">
      <h2 id="stages-heading">{t('control.stagesHeading')}</h2>
      <ul class="control-list">
        {stages.map((stage) => (
          <StageItem key={stage.id} id={stage.id} title={stage.title} />
        ))}
      </ul>
      <NewStageForm />
    </section>
  );
}

function StageItem({ id, title }: { id: string; title: string }) {
  const invite = invites.value.get(id);
  const onRename = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    const { data } = submitted(event);
    void act(t('control.rename'), () => renameStage(id, fieldText(data, 'title')));
  };
  const moderatorLink = moderatorLinks.value.get(id);
  const onInvite = () =>
    void act(t('control.invite', { stage: title }), async () => {
      const created = await inviteSpeaker(id, '');
      invites.value = new Map([...invites.value, [id, created]]);
    });
  const onInviteModerator = () =>
    void act(t('control.inviteModerator', { stage: title }), async () => {
      const created = await inviteModerator(id, '');
      moderatorLinks.value = new Map([...moderatorLinks.value, [id, created.moderateUrl]]);
    });
  return (
    <li class="panel" data-stage={id}>
      <h3>{title}</h3>
      <form class="control-inline" onSubmit={onRename}>
        <div class="field">
          <label for={`rename-${id}`}>{t('control.renameLabel', { stage: title })}</label>
          <input id={`rename-${id}`} name="title" required maxLength={200} defaultValue={title} />
        </div>
        <button class="button" type="submit">
          {t('control.rename')}
        </button>
      </form>
      <p class="control-inline">
        <button class="button button-primary" type="button" onClick={onInvite}>
          {t('control.invite', { stage: title })}
        </button>
        <button class="button" type="button" onClick={onInviteModerator}>
          {t('control.inviteModerator', { stage: title })}
        </button>
        <a class="button" href={`/moderate/${id}`}>
          {t('control.moderate', { stage: title })}
        </a>
        <button class="button button-danger" type="button" onClick={() => void act(t('control.delete', { stage: title }), () => deleteStage(id))}>
          {t('control.delete', { stage: title })}
        </button>
      </p>
      {invite && (
        <p>
          {t('control.inviteLink', { stage: title })} <a href={invite.speakUrl}>{new URL(invite.speakUrl, location.origin).href}</a>
        </p>
      )}
      {moderatorLink && (
        <p>
          {t('control.moderatorLink', { stage: title })} <a href={moderatorLink}>{new URL(moderatorLink, location.origin).href}</a>
        </p>
      )}
      <ProgrammeEditor stageId={id} stageTitle={title} act={act} />
      <RecordingPanel stageId={id} stageTitle={title} act={act} />
      <SlatePanel stageId={id} stageTitle={title} act={act} />
      <IngestPanel stageId={id} stageTitle={title} act={act} />
      <StageMonitorPanel
        stageId={id}
        stageTitle={title}
        onPlace={(inviteId, placement, name) =>
          void act(t(placement === 'on-air' ? 'backstage.takeToAir' : 'backstage.sendBackstage', { speaker: name }), () =>
            placeSpeaker(id, inviteId, placement),
          )
        }
        onTake={(program) => void act(t('program.take'), () => takeProgram(id, program))}
      />
    </li>
  );
}

function NewStageForm() {
  const onCreate = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    const { form, data } = submitted(event);
    void act(t('control.createStage'), () => createStage(fieldText(data, 'event'), fieldText(data, 'id'), fieldText(data, 'title'))).then((done) => {
      if (done) form.reset();
    });
  };
  return (
    <form class="panel" aria-labelledby="new-stage-heading" onSubmit={onCreate}>
      <h3 id="new-stage-heading">{t('control.newStageHeading')}</h3>
      <div class="field">
        <label for="new-stage-event">{t('control.event')}</label>
        <select id="new-stage-event" name="event" required>
          {events.value.map((event) => (
            <option key={event.id} value={event.id} lang={event.language}>
              {event.title}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="new-stage-title">{t('control.stageName')}</label>
        <input id="new-stage-title" name="title" required maxLength={200} />
      </div>
      <div class="field">
        <label for="new-stage-id">{t('control.stageId')}</label>
        <input id="new-stage-id" name="id" required maxLength={64} pattern="[a-z0-9][a-z0-9\-]*" />
      </div>
      <button class="button button-primary" type="submit">
        {t('control.createStage')}
      </button>
    </form>
  );
}

function Technicians() {
  const onAdd = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    const { form, data } = submitted(event);
    void act(t('control.addTechnician'), () => addTechnician({ username: fieldText(data, 'username'), password: fieldText(data, 'password') })).then((done) => {
      if (done) form.reset();
    });
  };
  return (
    <section aria-labelledby="technicians-heading">
      <h2 id="technicians-heading">{t('control.techniciansHeading')}</h2>
      <ul class="control-list">
        {technicians.value.map((technician) => (
          <TechnicianItem key={technician.id} technician={technician} />
        ))}
      </ul>
      <form class="panel" aria-labelledby="new-technician-heading" onSubmit={onAdd}>
        <h3 id="new-technician-heading">{t('control.newTechnicianHeading')}</h3>
        <div class="field">
          <label for="new-technician-username">{t('control.username')}</label>
          <input id="new-technician-username" name="username" autocomplete="off" required maxLength={64} />
        </div>
        <div class="field">
          <label for="new-technician-password">{t('control.password')}</label>
          <input id="new-technician-password" name="password" type="password" autocomplete="new-password" required minLength={12} maxLength={256} />
        </div>
        <button class="button button-primary" type="submit">
          {t('control.addTechnician')}
        </button>
      </form>
    </section>
  );
}

function TechnicianItem({ technician }: { technician: TechnicianInfo }) {
  const name = technician.username;
  const disabled = technician.disabledAt !== null;
  const onReset = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    const { form, data } = submitted(event);
    void act(t('control.setPassword'), () => resetPassword(technician.id, fieldText(data, 'password'))).then((done) => {
      if (done) form.reset();
    });
  };
  return (
    <li class="panel" data-technician={name}>
      <h3>
        {name} {disabled && t('control.disabledNote')}
      </h3>
      <p>
        <button
          class="button"
          type="button"
          onClick={() => void act(t(disabled ? 'control.enable' : 'control.disable', { name }), () => setDisabled(technician.id, !disabled))}
        >
          {t(disabled ? 'control.enable' : 'control.disable', { name })}
        </button>
      </p>
      <form class="control-inline" onSubmit={onReset}>
        <div class="field">
          <label for={`password-${technician.id}`}>{t('control.newPasswordFor', { name })}</label>
          <input id={`password-${technician.id}`} name="password" type="password" autocomplete="new-password" required minLength={12} maxLength={256} />
        </div>
        <button class="button" type="submit">
          {t('control.setPassword')}
        </button>
      </form>
    </li>
  );
}

function AuditLog() {
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">{t('control.auditHeading')}</h2>
      {audit.value.length === 0 ? (
        <p>{t('control.noAudit')}</p>
      ) : (
        <table class="audit-log">
          <thead>
            <tr>
              <th scope="col">{t('control.auditWhen')}</th>
              <th scope="col">{t('control.auditWho')}</th>
              <th scope="col">{t('control.auditWhat')}</th>
              <th scope="col">{t('control.auditResult')}</th>
            </tr>
          </thead>
          <tbody>
            {audit.value.map((entry) => (
              <tr key={entry.id}>
                <td>
                  {date(entry.createdAt, localZone)} {time(entry.createdAt, localZone)}
                </td>
                <td>{entry.username}</td>
                <td>
                  <code>{entry.action}</code> {Object.values(entry.subject).join(', ')}
                </td>
                <td>{entry.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

render(<ControlPage />, document.getElementById('app')!);
void checkSession();
