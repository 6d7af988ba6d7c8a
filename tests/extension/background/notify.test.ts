import { describe, expect, it } from 'vitest';
import { badgeText, Notifier, type NotificationOptions } from '../../../extension/src/background/notify.js';
import { initialState } from '../../../extension/src/background/state.js';
import { DEFAULT_SETTINGS, type AppNotification } from '../../../extension/src/shared/api.js';

const notice = (id: string, kind: AppNotification['kind'] = 'received'): AppNotification => ({
  id,
  ts: '2024-05-01T12:00:00.000Z',
  kind,
  title: kind === 'received' ? 'Money received' : 'Large transfer',
  body: `body ${id}`,
  read: false,
});

function setup() {
  const created: { id: string; options: NotificationOptions }[] = [];
  const badges: string[] = [];
  const notifier = new Notifier(
    {
      create: async (id, options) => {
        created.push({ id, options });
      },
    },
    {
      setBadgeText: async ({ text }) => {
        badges.push(text);
      },
      setBadgeBackgroundColor: async () => {},
    },
  );
  return { notifier, created, badges };
}

describe('badge text', () => {
  it('is empty at 0, the count up to 99, then 99+', () => {
    expect([0, -1, 1, 9, 99, 100, 5000].map(badgeText)).toEqual(['', '', '1', '9', '99', '99+', '99+']);
  });
});

describe('Notifier', () => {
  it('raises a system notification per new notification, with an icon', () => {
    const t = setup();
    t.notifier.show([notice('received:1'), notice('alert:2', 'alert')], initialState());
    expect(t.created.map((c) => c.id)).toEqual(['received:1', 'alert:2']);
    expect(t.created[0]?.options).toMatchObject({ type: 'basic', title: 'Money received', message: 'body received:1' });
    expect(t.created[0]?.options.iconUrl).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });

  it('stays quiet when notifications are off in Settings', () => {
    const t = setup();
    const quiet = { ...initialState(), settings: { ...DEFAULT_SETTINGS, notifications: false } };
    t.notifier.show([notice('received:1')], quiet);
    t.notifier.signedOut('Signed out: revoked.', quiet);
    expect(t.created).toEqual([]);
  });

  it('says why the relay signed the person out', () => {
    const t = setup();
    t.notifier.signedOut('Signed out: the password was changed.', initialState());
    expect(t.created[0]?.options).toMatchObject({ title: 'Signed out', message: 'Signed out: the password was changed.' });
  });

  it('keeps the badge equal to the unread count, writing only changes', () => {
    const t = setup();
    const s = initialState();
    t.notifier.syncBadge(s);
    t.notifier.syncBadge({ ...s, unread: 2 });
    t.notifier.syncBadge({ ...s, unread: 2 });
    t.notifier.syncBadge({ ...s, unread: 0 });
    expect(t.badges).toEqual(['', '2', '']);
  });
});
