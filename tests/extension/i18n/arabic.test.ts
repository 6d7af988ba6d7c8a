// @vitest-environment happy-dom
import { h } from 'preact';
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { passwordSchema, usernameSchema, displayNameSchema } from '../../../common/schemas/primitives.js';
import { ltr, t, tPlural, uiDirection, uiLanguage, uiLocale } from '../../../extension/src/shared/i18n.js';
import { formatMoney, formatSignedMoney, parseAmountInput, relativeTime } from '../../../extension/src/ui/format.js';
import { applyPageLanguage } from '../../../extension/src/ui/page-language.js';
import { PopupApp } from '../../../extension/src/ui/popup/App.js';
import { firstIssue } from '../../../extension/src/ui/rules.js';
import { useLanguage } from '../../helpers/i18n.js';
import { resetBridge, setState } from '../ui/popup/fake-bridge.js';
import { NOW, walletState } from '../ui/popup/fixtures.js';

vi.mock('../../../extension/src/ui/bridge.js', () => import('../ui/popup/fake-bridge.js'));
vi.mock('../../../extension/src/ui/popup/platform.js', () => ({
  openOptionsPage: vi.fn(),
  sessionGet: vi.fn(async () => undefined),
  sessionSet: vi.fn(async () => undefined),
}));

/* The pages in a browser whose language is Arabic: its words, mirrored, its plural forms and its numbers. */

const ARABIC_LETTER = /[\u0600-\u06ff]/;

beforeEach(() => {
  useLanguage('ar');
  resetBridge();
});

afterEach(() => {
  cleanup();
  useLanguage('en');
  vi.useRealTimers();
});

describe('an Arabic browser', () => {
  it('gets the Arabic messages, right to left, with figures formatted for Arabic', () => {
    expect([uiLanguage(), uiLocale(), uiDirection()]).toEqual(['ar', 'ar', 'rtl']);
    applyPageLanguage(t('popup_page_title'));
    expect([document.documentElement.lang, document.documentElement.dir, document.title]).toEqual(['ar', 'rtl', 'البنك الموزَّع']);
    // Kept left to right as a whole (between isolates), or "US$" would read "$US".
    const usd = (n: number) => new Intl.NumberFormat('ar', { style: 'currency', currency: 'USD' }).format(n);
    expect(formatMoney(123_456, 'USD')).toBe(`\u2066${usd(1234.56)}\u2069`);
    expect(formatSignedMoney(-500, 'USD')).toBe(`\u2066\u2212${usd(5)}\u2069`);
  });

  it('keeps an account number in order inside right-to-left text, and leaves English text as it is', () => {
    expect(ltr('DB18 0000 0000 01')).toBe('\u2066DB18 0000 0000 01\u2069');
    useLanguage('en');
    expect(ltr('DB18 0000 0000 01')).toBe('DB18 0000 0000 01');
  });

  it("uses Arabic's plural forms: one, two, few, many and other", () => {
    const minutes = (n: number) => tPlural('time_minutes_ago', n);
    const count = (n: number) => new Intl.NumberFormat('ar').format(n);
    expect(minutes(1)).toBe('منذ دقيقة');
    expect(minutes(2)).toBe('منذ دقيقتين');
    expect(minutes(3)).toBe(`منذ ${count(3)} دقائق`);
    expect(minutes(11)).toBe(`منذ ${count(11)} دقيقة`);
    expect(minutes(100)).toBe(`منذ ${count(100)} دقيقة`);
    expect(relativeTime(new Date(NOW.getTime() - 2 * 60_000).toISOString(), NOW)).toBe('منذ دقيقتين');
  });

  it('reads amounts typed with Arabic-Indic digits, and says what is wrong in Arabic', () => {
    expect(parseAmountInput('١٢٫٥٠')).toEqual({ ok: true, minor: 1_250 });
    expect(parseAmountInput('۱٬۰۰۰')).toEqual({ ok: true, minor: 100_000 });
    const refused = parseAmountInput('-5');
    expect(refused.ok ? '' : refused.error).toBe('لا يمكن أن يكون المبلغ سالبًا');
  });

  it('says the field rules the forms check in Arabic', () => {
    const issue = (schema: { safeParse(v: string): { success: boolean; error?: { issues: { message: string }[] } } }, value: string) =>
      firstIssue(schema.safeParse(value).error!);
    for (const [schema, value] of [
      [usernameSchema, 'ab'],
      [usernameSchema, 'a'.repeat(33)],
      [usernameSchema, '-jane'],
      [passwordSchema, 'short'],
      [passwordSchema, 'password\0nul'],
      [displayNameSchema, 'x'.repeat(65)],
      [displayNameSchema, 'Jane\u202e'],
    ] as const) {
      expect(issue(schema, value), `${value}`).toMatch(ARABIC_LETTER);
    }
    expect(issue(usernameSchema, 'ab')).toBe('يجب أن يتكوّن من 3 محارف على الأقل'.replace('3', new Intl.NumberFormat('ar').format(3)));
  });

  it('shows the popup in Arabic', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    setState(walletState());
    render(h(PopupApp, null));
    expect(screen.getByRole('heading', { name: 'النشاط' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'إرسال' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'الإشعارات' })).toBeTruthy();
    expect(screen.getByText('متصل')).toBeTruthy();
  });
});
