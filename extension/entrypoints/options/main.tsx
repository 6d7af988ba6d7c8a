import { render } from 'preact';
import '../../src/ui/theme.css';
import '../../src/ui/options.css';
import { App } from '../../src/ui/options/App.js';

document.body.classList.add('options');
render(<App />, document.getElementById('app')!);
