import type { JSX } from 'preact';
import { t } from '../../shared/i18n.js';
import { Skeleton } from '../components/Skeleton.js';

/** What the popup paints before the background's first answer: the wallet's shape, in grey. */
export function LoadingScreen(): JSX.Element {
  return (
    <div class="screen" aria-busy="true">
      <p class="sr-only" role="status">
        {t('popup_loading')}
      </p>
      <header class="topbar">
        <Skeleton width="64px" height="22px" round />
        <Skeleton width="110px" height="14px" />
        <span class="topbar__spacer" />
        <Skeleton width="28px" height="28px" round />
      </header>
      <div class="content">
        <section class="card balance">
          <Skeleton width="70px" height="12px" />
          <Skeleton width="180px" height="36px" />
          <Skeleton width="150px" height="12px" />
          <Skeleton width="100%" height="40px" />
        </section>
        <Skeleton width="100%" height="42px" />
        <div class="activity">
          {[0, 1, 2, 3].map((i) => (
            <div class="row row--skeleton" key={i}>
              <Skeleton width="32px" height="32px" round />
              <span class="row__main">
                <Skeleton width="60%" height="12px" />
                <Skeleton width="35%" height="10px" />
              </span>
              <Skeleton width="56px" height="14px" />
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
