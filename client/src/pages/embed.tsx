/** `/embed/<stage>`: the live player and the audience panel without the site's chrome, for an organiser's page to frame. */
import '../styles.css';
import '../components/pages.css';
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { LazyAudiencePanel } from '../components/LazyAudiencePanel';
import { LivePlayerView, openPlayerConnection } from '../components/LivePlayerView';
import { loadStageInfo, stageInfo } from '../components/stageInfo';
import { t } from '../i18n/language';
import type { Signalling } from '../signalling';
import { stageIdFromLocation } from './common';

function EmbedPage({ stageId, signalling }: { stageId: string; signalling: Signalling }) {
  const title = stageInfo.value.listing?.title ?? stageId;
  useEffect(() => {
    document.title = `${title} – Estrad`;
  }, [title]);
  return (
    <main id="main" class="embed">
      <h1 class="visually-hidden">{title}</h1>
      <LivePlayerView stageId={stageId} stageTitle={title} signalling={signalling} />
      <LazyAudiencePanel />
    </main>
  );
}

const stageId = stageIdFromLocation();
if (stageId) {
  const signalling = openPlayerConnection();
  render(<EmbedPage stageId={stageId} signalling={signalling} />, document.getElementById('app')!);
  void loadStageInfo(stageId);
} else {
  document.body.dataset.state = 'offline';
  render(
    <main id="main" class="embed">
      <h1>{t('watch.noStageHeading')}</h1>
      <p>{t('watch.noStageText')}</p>
    </main>,
    document.getElementById('app')!,
  );
}
