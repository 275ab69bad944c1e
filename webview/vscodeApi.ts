/** The one bridge to the host: `acquireVsCodeApi()` (callable once per page), typed with the protocol. */
import type { WebviewMessage } from '../src/protocol/messages';
import { ALL_STREAMS, type LogFilter } from './logIndex';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What survives a webview reload besides the host's snapshot: UI preferences only, never logs or secrets. */
export interface PersistedUi {
  filter: LogFilter;
}

export interface HostBridge {
  post(message: WebviewMessage): void;
  loadUi(): PersistedUi;
  saveUi(ui: PersistedUi): void;
}

export function connectToHost(): HostBridge {
  const api: VsCodeApi =
    typeof acquireVsCodeApi === 'function'
      ? acquireVsCodeApi()
      : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined }; // opened outside VS Code
  return {
    post: (message) => api.postMessage(message),
    loadUi: () => {
      const raw = api.getState() as Partial<PersistedUi> | undefined;
      const f = raw?.filter;
      return {
        filter: {
          query: typeof f?.query === 'string' ? f.query.slice(0, 500) : '',
          streams: { ...ALL_STREAMS, ...(f?.streams && typeof f.streams === 'object' ? f.streams : {}) },
        },
      };
    },
    saveUi: (ui) => api.setState({ filter: { query: ui.filter.query.slice(0, 500), streams: ui.filter.streams } }),
  };
}
