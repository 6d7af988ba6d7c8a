import { useLanguage } from './helpers/i18n.js';

/*
 * Before every test file: browser.i18n as an English browser has it. Node has no extension
 * APIs, and the pages and the background take every word they show from browser.i18n.
 */
useLanguage('en');
