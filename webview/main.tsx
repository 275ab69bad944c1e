/** Mission Control webview entry (placeholder until the webview issue lands). */
import { render } from 'preact';

render(<div>AutoDev Mission Control</div>, document.body);
