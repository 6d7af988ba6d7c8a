import { render } from 'preact';
import '../../src/ui/theme.css';
import { t } from '../../src/shared/i18n.js';
import { applyPageLanguage } from '../../src/ui/page-language.js';
import { PopupApp } from '../../src/ui/popup/App.js';

applyPageLanguage(t('popup_page_title'));
document.body.classList.add('popup');
render(<PopupApp />, document.getElementById('app')!);
