import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { ManagedPolicy, Settings } from '../../../../shared/api.js';
import { t } from '../../../../shared/i18n.js';
import { send } from '../../../bridge.js';
import { Button } from '../../../components/Button.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { CheckboxField } from '../../components/CheckboxField.js';
import { Panel } from '../../components/ScreenHeader.js';
import { fieldError } from '../../lib/errors.js';
import { settingsToForm, validateSettings, type SettingsErrors, type SettingsForm } from '../../lib/settings-form.js';
import { sentence } from '../../lib/text.js';

const FIELDS = ['relayUrl', 'autoLockMinutes', 'notifications'] as const;

/**
 * Relay address, auto-lock and notifications. The form shows the background's settings until
 * the person edits a field; their edits are kept over pushed state updates until saved. A
 * setting the organization's policy fixes is shown, read-only, and never sent.
 */
export function ConnectionPanel({ settings, policy }: { settings: Settings; policy: ManagedPolicy }): JSX.Element {
  const [edits, setEdits] = useState<Partial<SettingsForm>>({});
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [formError, setFormError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const urlRef = useRef<HTMLInputElement>(null);
  const lockRef = useRef<HTMLInputElement>(null);

  const form: SettingsForm = { ...settingsToForm(settings), ...edits };
  const dirty = Object.keys(edits).length > 0;
  const fixed = (key: keyof Settings): boolean => policy[key] !== undefined;
  const allFixed = FIELDS.every(fixed);

  function edit(patch: Partial<SettingsForm>): void {
    setEdits((e) => ({ ...e, ...patch }));
    setSaved(false);
    const keys = Object.keys(patch) as (keyof SettingsErrors)[];
    if (keys.some((k) => errors[k])) setErrors((e) => ({ ...e, ...Object.fromEntries(keys.map((k) => [k, undefined])) }));
  }

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setFormError(undefined);
    setSaved(false);
    const result = validateSettings(form);
    setErrors(result.errors);
    if (!result.settings) {
      (result.errors.relayUrl ? urlRef : lockRef).current?.focus();
      return;
    }
    setBusy(true);
    try {
      const own = Object.fromEntries(Object.entries(result.settings).filter(([k]) => !fixed(k as keyof Settings)));
      await send({ type: 'settings', settings: own });
      setEdits({});
      setSaved(true);
    } catch (err) {
      const fe = fieldError(err, FIELDS);
      if (fe.field) setErrors({ [fe.field]: sentence(fe.message) });
      else setFormError(fe.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel title={t('connection_title')} id="settings-connection">
      <form class="o-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t('connection_relay_url')}
          name="relayUrl"
          value={form.relayUrl}
          onValue={(relayUrl) => edit({ relayUrl })}
          error={errors.relayUrl && sentence(errors.relayUrl)}
          hint={fixed('relayUrl') ? t('connection_by_policy') : t('connection_relay_url_hint')}
          readOnly={fixed('relayUrl')}
          inputRef={urlRef}
          autoComplete="off"
          spellcheck={false}
          inputMode="url"
          dir="ltr"
        />
        <TextField
          label={t('connection_lock_after')}
          name="autoLockMinutes"
          type="number"
          min={1}
          max={240}
          step={1}
          value={form.autoLockMinutes}
          onValue={(autoLockMinutes) => edit({ autoLockMinutes })}
          error={errors.autoLockMinutes && sentence(errors.autoLockMinutes)}
          hint={fixed('autoLockMinutes') ? t('connection_by_policy') : t('connection_lock_after_hint')}
          readOnly={fixed('autoLockMinutes')}
          inputRef={lockRef}
          class="o-field--short"
        />
        <CheckboxField
          label={t('connection_notifications')}
          checked={form.notifications}
          onChecked={(notifications) => edit({ notifications })}
          hint={fixed('notifications') ? t('connection_by_policy') : t('connection_notifications_hint')}
          disabled={fixed('notifications')}
          switch
        />
        {formError ? <Notice tone="error">{formError}</Notice> : null}
        {saved ? (
          <p class="o-ok" role="status">
            {t('connection_saved')}
          </p>
        ) : null}
        <div class="o-form__actions">
          {allFixed ? null : (
            <Button type="submit" variant="primary" loading={busy} loadingText={t('common_saving')}>
              {t('connection_save')}
            </Button>
          )}
          {dirty ? (
            <Button
              variant="ghost"
              onClick={() => {
                setEdits({});
                setErrors({});
              }}
              disabled={busy}
            >
              {t('connection_discard')}
            </Button>
          ) : null}
        </div>
      </form>
    </Panel>
  );
}
