/** A private event's two ways in: register (name and e-mail) for a personal link, or enter the access code. */
import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import type { EventProgrammeResponse } from '../../../shared/protocol';
import { enterAccessCode, register } from '../api/events';
import { errorText } from '../i18n/errors';
import { t } from '../i18n/language';
import { fieldText } from './formData';

type Outcome = { kind: 'idle' } | { kind: 'sending' } | { kind: 'failed'; error: unknown } | { kind: 'done'; link: string };

export function AccessForms({ event }: { event: EventProgrammeResponse }) {
  return (
    <section class="panel access" aria-labelledby={`access-${event.id}`}>
      <h2 id={`access-${event.id}`}>{t('access.heading')}</h2>
      <p>{t('access.intro')}</p>
      <div class="access-forms">
        <RegistrationForm event={event} />
        {event.hasAccessCode && <AccessCodeForm event={event} />}
      </div>
    </section>
  );
}

function RegistrationForm({ event }: { event: EventProgrammeResponse }) {
  const id = (field: string) => `register-${event.id}-${field}`;
  const { outcome, onSubmit } = useSubmission(async (data) => {
    const registered = await register({ eventId: event.id, name: fieldText(data, 'name'), email: fieldText(data, 'email') });
    return new URL(registered.watchUrl, location.origin).href;
  });
  return (
    <form class="access-form" onSubmit={onSubmit} aria-labelledby={id('heading')}>
      <h3 id={id('heading')}>{t('access.registerHeading')}</h3>
      <div class="field">
        <label for={id('name')}>{t('access.name')}</label>
        <input id={id('name')} name="name" type="text" autocomplete="name" maxLength={200} required />
      </div>
      <div class="field">
        <label for={id('email')}>{t('access.email')}</label>
        <input id={id('email')} name="email" type="email" autocomplete="email" maxLength={254} required />
      </div>
      <SubmitAndOutcome label={t('access.register')} outcome={outcome} success={t('access.registered')} linkText={t('access.personalLink')} />
    </form>
  );
}

function AccessCodeForm({ event }: { event: EventProgrammeResponse }) {
  const id = (field: string) => `code-${event.id}-${field}`;
  const { outcome, onSubmit } = useSubmission(async (data) => {
    await enterAccessCode(event.id, fieldText(data, 'code'));
    return event.stages[0] ? `/watch/${event.stages[0].id}` : '/';
  });
  return (
    <form class="access-form" onSubmit={onSubmit} aria-labelledby={id('heading')}>
      <h3 id={id('heading')}>{t('access.codeHeading')}</h3>
      <div class="field">
        <label for={id('code')}>{t('access.code')}</label>
        <input id={id('code')} name="code" type="text" autocomplete="off" maxLength={64} required />
      </div>
      <SubmitAndOutcome label={t('access.useCode')} outcome={outcome} success={t('access.granted')} linkText={t('access.watchNow')} />
    </form>
  );
}

/** Sends a form's data with `send`, which answers the link to offer; the outcome is a signal the form shows. */
function useSubmission(send: (data: FormData) => Promise<string>) {
  const outcome = useSignal<Outcome>({ kind: 'idle' });
  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    outcome.value = { kind: 'sending' };
    send(new FormData(event.currentTarget)).then(
      (link) => (outcome.value = { kind: 'done', link }),
      (error: unknown) => (outcome.value = { kind: 'failed', error }),
    );
  };
  return { outcome: outcome.value, onSubmit };
}

/** The submit button and, in a live region so a screen reader hears it, the outcome. */
function SubmitAndOutcome({ label, outcome, success, linkText }: { label: string; outcome: Outcome; success: string; linkText: string }) {
  return (
    <>
      <button class="button button-primary" type="submit" disabled={outcome.kind === 'sending'}>
        {label}
      </button>
      <div class="form-outcome" role="status">
        {outcome.kind === 'sending' && <p>{t('access.sending')}</p>}
        {outcome.kind === 'failed' && <p class="field-error">{errorText(outcome.error)}</p>}
        {outcome.kind === 'done' && (
          <p>
            {success} <a href={outcome.link}>{linkText}</a>
          </p>
        )}
      </div>
    </>
  );
}
