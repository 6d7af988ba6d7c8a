import { render } from 'preact';
import '../../src/ui/theme.css';
import '../../src/ui/options.css';
import { t } from '../../src/shared/i18n.js';
import { App } from '../../src/ui/options/App.js';
import { applyPageLanguage } from '../../src/ui/page-language.js';

applyPageLanguage(t('options_page_title'));
document.body.classList.add('options');
render(<App />, document.getElementById('app')!);
