// Measures one cold activation of the bundled extension: require(bundle) + activate(context) under a stub `vscode`
// module (the bench is the one place a stub host is right). Usage: node activationProbe.cjs BUNDLE ROOT → one JSON line.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const [bundle, root] = process.argv.slice(2);

/** Any API the stub does not model answers with another stub: callable, constructible, never a thenable. */
function deep(name) {
  const cache = new Map();
  return new Proxy(function stub() {}, {
    get(_target, prop) {
      if (prop === 'then') return undefined;
      if (prop === Symbol.toPrimitive || prop === 'toString') return () => `[vscode ${name}]`;
      if (prop === 'dispose') return () => undefined;
      if (!cache.has(prop)) cache.set(prop, deep(`${name}.${String(prop)}`));
      return cache.get(prop);
    },
    set(_target, prop, value) {
      // Items are configured by assignment (statusBarItem.text = ...): keep what was set.
      cache.set(prop, value);
      return true;
    },
    apply() {
      return deep(`${name}()`);
    },
    construct() {
      return deep(`new ${name}`);
    },
  });
}

function uri(fsPath) {
  return { scheme: 'file', fsPath, path: fsPath, authority: '', query: '', fragment: '', toString: () => `file://${fsPath}`, with: (c) => uri(c.path ?? fsPath) };
}

class Disposable {
  constructor(fn) {
    this.fn = fn;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this.fn) this.fn();
    this.fn = undefined;
  }
}

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (l) => {
      this.listeners.add(l);
      return new Disposable(() => this.listeners.delete(l));
    };
  }
  fire(e) {
    for (const l of this.listeners) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}

const noopEvent = () => new Disposable();
const memento = () => {
  const m = new Map();
  return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => void m.set(k, v), keys: () => [...m.keys()], setKeysForSync() {} };
};

const overrides = {
  Disposable,
  EventEmitter,
  Uri: { file: uri, parse: (s) => uri(s.replace(/^file:\/\//, '')), joinPath: (u, ...p) => uri(path.join(u.fsPath, ...p)) },
  workspace: {
    getConfiguration: () => ({ get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => undefined }),
    workspaceFolders: undefined,
    isTrusted: true,
    onDidChangeConfiguration: noopEvent,
    onDidGrantWorkspaceTrust: noopEvent,
    onDidChangeWorkspaceFolders: noopEvent,
  },
  commands: { registerCommand: () => new Disposable(), executeCommand: async () => undefined },
  extensions: { getExtension: () => undefined },
};

// A plain object with every top-level name of the API (bundles copy own properties when they `import * as vscode`),
// taken from the installed @types/vscode; modelled members first, everything else a deep stub.
const apiNames = new Set(
  [...require('node:fs').readFileSync(require.resolve('@types/vscode/index.d.ts', { paths: [root] }), 'utf8')
    .matchAll(/^\texport (?:namespace|class|enum|const|function|let) (\w+)/gm)].map((m) => m[1]),
);
const vscode = {};
for (const name of apiNames) {
  const o = overrides[name];
  if (o === undefined) vscode[name] = deep(name);
  else if (typeof o !== 'object' || o === null) vscode[name] = o;
  else {
    const fallback = deep(name);
    vscode[name] = new Proxy(o, { get: (t, p) => (p in t ? t[p] : fallback[p]) });
  }
}
vscode.version = '1.95.0';

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolveFilename.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

const context = {
  subscriptions: [],
  extensionUri: uri(root),
  extensionPath: root,
  asAbsolutePath: (p) => path.join(root, p),
  globalState: memento(),
  workspaceState: memento(),
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: noopEvent },
  globalStorageUri: uri(path.join(root, '.bench-storage', 'global')),
  storageUri: uri(path.join(root, '.bench-storage', 'workspace')),
  logUri: uri(path.join(root, '.bench-storage', 'log')),
  extensionMode: 1,
  extension: { id: 'autodev.autodev', extensionUri: uri(root), packageJSON: require(path.join(root, 'package.json')) },
  environmentVariableCollection: deep('environmentVariableCollection'),
};

(async () => {
  const t0 = performance.now();
  const ext = require(path.resolve(bundle));
  const t1 = performance.now();
  await ext.activate(context);
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, ms: t2 - t0, subscriptions: context.subscriptions.length }) + '\n');
  process.exit(0);
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
