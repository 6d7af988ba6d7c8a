import { t, tPlural, type MessageKey } from '../shared/i18n.js';
import { capitalize } from './format.js';

/*
 * common/schemas words each field rule in English after the field's name, for the relay's
 * answers ("password: must be at least 8 characters"). A page that checks a field with the
 * same schema says the broken rule in the person's language, the English wording naming the
 * rule; a wording this list does not know is shown as it comes.
 */

const RULES: Record<string, MessageKey> = {
  'is required': 'rule_required',
  'must not be empty': 'rule_not_empty',
  'may use only a-z, 0-9, _ . - and must start with a letter or digit': 'rule_username_characters',
  'must not contain control or invisible formatting characters': 'rule_no_invisible_characters',
  'must not contain a NUL character': 'rule_no_nul_character',
};

/** A schema's message for one field ("must be at least 8 characters") as a sentence for the person. */
export function ruleText(message: string): string {
  const key = RULES[message];
  if (key) return t(key);
  const length = /^must be at (least|most) (\d+) characters$/.exec(message);
  if (length) return tPlural(length[1] === 'least' ? 'rule_min_characters' : 'rule_max_characters', Number(length[2]));
  return capitalize(message);
}

/** The first problem zod found with a field, as a sentence. */
export function firstIssue(error: { issues: readonly { message: string }[] }): string {
  const message = error.issues[0]?.message;
  return message ? ruleText(message) : t('rule_not_valid');
}
