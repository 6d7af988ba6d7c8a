import type { ComponentChildren, JSX } from 'preact';

export interface ScreenHeaderProps {
  title: string;
  /** One sentence on what this screen is for. */
  description?: ComponentChildren;
  /** Buttons on the right (Refresh, Create user…). */
  actions?: ComponentChildren;
}

/** A screen's heading. The shell moves focus to this <h1> when the screen changes. */
export function ScreenHeader({ title, description, actions }: ScreenHeaderProps): JSX.Element {
  return (
    <header class="o-screen-head">
      <div>
        <h1 class="o-screen-title" tabIndex={-1}>
          {title}
        </h1>
        {description ? <p class="o-screen-desc">{description}</p> : null}
      </div>
      {actions ? <div class="o-screen-actions">{actions}</div> : null}
    </header>
  );
}

export interface PanelProps {
  title: string;
  children?: ComponentChildren;
  /** aside the title, e.g. a button */
  actions?: ComponentChildren;
  id?: string;
}

/** A card with its own <h2>: one task per panel. */
export function Panel({ title, children, actions, id }: PanelProps): JSX.Element {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section class="o-panel" aria-labelledby={headingId} id={id}>
      <div class="o-panel__head">
        <h2 class="o-panel__title" id={headingId}>
          {title}
        </h2>
        {actions ? <div class="o-panel__actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
