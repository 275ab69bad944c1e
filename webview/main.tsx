/** Mission Control webview entry: connects to the host, says `ready`, and renders what the host pushes. */
import { render } from 'preact';
import { App } from './app';
import { Store, isHostMessage } from './store';
import { connectToHost } from './vscodeApi';

const host = connectToHost();
const store = new Store();
const ui = host.loadUi();

// Listen before saying ready: the host answers `ready` with the snapshot at once.
window.addEventListener('message', (event: MessageEvent) => {
  if (isHostMessage(event.data)) store.apply(event.data);
});

const root = document.getElementById('app') ?? document.body;
render(
  <App
    store={store}
    post={host.post}
    initialFilter={ui.filter}
    onFilterChange={(filter) => host.saveUi({ filter })}
  />,
  root,
);
host.post({ type: 'ready' });
