import { render } from 'preact';

render(<main>Distributed Bank</main>, document.getElementById('app')!);
