/** What a stage page (watch, moderate) shows when its address names no stage. */
import { t } from '../i18n/language';
import { Layout } from './Layout';

export function MissingStage() {
  return (
    <Layout title={t('watch.noStageHeading')}>
      <h1>{t('watch.noStageHeading')}</h1>
      <p>
        {t('watch.noStageText')} <a href="/">{t('watch.pickStage')}</a>
      </p>
    </Layout>
  );
}
