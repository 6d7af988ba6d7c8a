import { render } from 'preact';
import '../../src/ui/theme.css';
import { PopupApp } from '../../src/ui/popup/App.js';

document.body.classList.add('popup');
render(<PopupApp />, document.getElementById('app')!);
