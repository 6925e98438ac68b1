/** The chrome every Preact page shares: skip link, header with navigation and language switch, main, footer. */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { chooseLanguage, language, t } from '../i18n/language';
import { type Language, languageNames, languages } from '../i18n/messages';

export type NavTarget = 'events' | 'archive';

/** `wide`: for a page whose main content is a player. */
export function Layout({ title, current, wide, children }: { title: string; current?: NavTarget; wide?: boolean; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} – Estrad`;
  }, [title]);
  return (
    <>
      <a class="skip-link" href="#main">
        {t('layout.skipLink')}
      </a>
      <header class="site-header">
        <a class="brand" href="/" aria-label={t('layout.home')}>
          Estrad
        </a>
        <nav class="site-nav" aria-label={t('layout.nav')}>
          <a class="header-link" href="/" aria-current={current === 'events' ? 'page' : undefined}>
            {t('layout.navEvents')}
          </a>
          <a class="header-link" href="/archive" aria-current={current === 'archive' ? 'page' : undefined}>
            {t('layout.navArchive')}
          </a>
        </nav>
        <LanguageSwitch />
      </header>
      <main id="main" class={wide ? 'page page-wide' : 'page'} tabindex={-1}>
        {children}
      </main>
      <footer class="site-footer">
        <p>{t('layout.footer')}</p>
      </footer>
    </>
  );
}

function LanguageSwitch() {
  return (
    <div class="language-switch" role="group" aria-label={t('layout.language')}>
      {languages.map((option: Language) => (
        <button
          key={option}
          type="button"
          class="language-option"
          lang={option}
          aria-pressed={language.value === option}
          onClick={() => chooseLanguage(option)}
        >
          {languageNames[option]}
        </button>
      ))}
    </div>
  );
}
