import type { JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import type { RunKind } from '../../../../../../common/schemas/models.js';
import { t } from '../../../../shared/i18n.js';
import { Button } from '../../../components/Button.js';
import { Panel } from '../../components/ScreenHeader.js';
import { SelectField } from '../../components/SelectField.js';
import { kindText } from '../../lib/payments.js';

/** Most characters a pasted or uploaded file may have (5,000 rows of generous width). */
export const FILE_TEXT_MAX = 5_000_000;

export interface UploadPanelProps {
  isAdmin: boolean;
  kind: RunKind;
  onKind: (kind: RunKind) => void;
  /** The file's text (read as UTF-8), and its name ('' when pasted). */
  onText: (text: string, fileName: string) => void;
  error?: string | undefined;
}

/** Choose a CSV file (a real file input) or paste its rows. */
export function UploadPanel({ isAdmin, kind, onKind, onText, error }: UploadPanelProps): JSX.Element {
  const id = `u${useId()}`;
  const [pasted, setPasted] = useState('');
  const [readError, setReadError] = useState<string>();

  async function chosen(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    setReadError(undefined);
    if (file.size > FILE_TEXT_MAX) {
      setReadError(t('payments_file_too_big'));
      return;
    }
    try {
      onText(await file.text(), file.name);
    } catch {
      setReadError(t('payments_file_unreadable'));
    }
    input.value = '';
  }

  const shownError = readError ?? error;
  return (
    <Panel title={t('payments_new_title')} id="payments-new">
      <p class="o-muted">{t('payments_format_hint')}</p>
      {isAdmin ? (
        <div class="o-field--short">
          <SelectField
            label={t('payments_kind_label')}
            value={kind}
            onValue={(v) => onKind(v as RunKind)}
            options={(['deposits', 'withdrawals'] as const).map((k) => ({ value: k, label: kindText(k) }))}
          />
        </div>
      ) : null}
      <div class={shownError ? 'field field--invalid' : 'field'}>
        <div class="field__top">
          <label class="field__label" for={`${id}-file`}>
            {t('payments_file_label')}
          </label>
        </div>
        <input
          id={`${id}-file`}
          class="o-file"
          type="file"
          accept=".csv,.txt,text/csv,text/plain"
          onChange={(e) => void chosen(e.currentTarget)}
          aria-invalid={shownError ? true : undefined}
          aria-describedby={shownError ? `${id}-error` : undefined}
        />
        {shownError ? (
          <p id={`${id}-error`} class="field__error" role="alert">
            {shownError}
          </p>
        ) : null}
      </div>
      <div class="field">
        <div class="field__top">
          <label class="field__label" for={`${id}-paste`}>
            {t('payments_paste_label')}
          </label>
        </div>
        <div class="field__box">
          <textarea
            id={`${id}-paste`}
            class="field__input o-paste"
            rows={5}
            spellcheck={false}
            dir="ltr"
            value={pasted}
            maxLength={FILE_TEXT_MAX}
            placeholder={t('payments_paste_placeholder')}
            onInput={(e) => setPasted(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="o-form__actions">
        <Button onClick={() => onText(pasted, '')} disabled={pasted.trim() === ''}>
          {t('payments_preview_pasted')}
        </Button>
      </div>
    </Panel>
  );
}
