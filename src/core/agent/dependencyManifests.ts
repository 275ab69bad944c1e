/**
 * A missing dependency's fix in the app's manifest: the package an import names (PyPI, npm) and requirements.txt or
 * package.json with it added — pure functions, null when there is nothing to add.
 */

/** Import name → PyPI package for the common cases where they differ. */
const PYPI_NAMES: Record<string, string> = {
  yaml: 'PyYAML',
  cv2: 'opencv-python',
  PIL: 'Pillow',
  sklearn: 'scikit-learn',
  skimage: 'scikit-image',
  bs4: 'beautifulsoup4',
  dateutil: 'python-dateutil',
  dotenv: 'python-dotenv',
  jwt: 'PyJWT',
  Crypto: 'pycryptodome',
  OpenSSL: 'pyOpenSSL',
  serial: 'pyserial',
  usb: 'pyusb',
  magic: 'python-magic',
  docx: 'python-docx',
  pptx: 'python-pptx',
  attr: 'attrs',
  git: 'GitPython',
  zmq: 'pyzmq',
  fitz: 'PyMuPDF',
  MySQLdb: 'mysqlclient',
  psycopg2: 'psycopg2-binary',
  google: 'protobuf',
  telegram: 'python-telegram-bot',
  multipart: 'python-multipart',
  slugify: 'python-slugify',
  Levenshtein: 'python-Levenshtein',
  win32api: 'pywin32',
  jose: 'python-jose',
  ldap: 'python-ldap',
};

/** The PyPI package for an imported module (`yaml.constructor` → PyYAML). */
export function pythonPackageFor(moduleName: string): string {
  const top = moduleName.split('.')[0];
  return PYPI_NAMES[top] ?? top;
}

const normPkg = (s: string) => s.toLowerCase().replace(/[-_.]+/g, '-');

/** requirements.txt with `pkg` added (null when already listed). Keeps the file's newline style. */
export function addRequirement(text: string, pkg: string): string | null {
  const listed = text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((l) => normPkg(l.split(/[\s<>=!~;[]/)[0]));
  if (listed.includes(normPkg(pkg))) return null;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  if (text === '') return pkg + nl;
  return (text.endsWith('\n') ? text : text + nl) + pkg + nl;
}

/** The npm package of a required specifier (`@scope/a/b` → `@scope/a`); null for relative paths and builtins. */
export function npmPackageFor(specifier: string): string | null {
  if (!specifier || specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || /^[a-zA-Z]:\\/.test(specifier)) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (NODE_BUILTINS.has(name)) return null;
  return /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name) ? name : null;
}

const NODE_BUILTINS = new Set(['fs', 'path', 'http', 'https', 'os', 'url', 'util', 'events', 'stream', 'crypto', 'child_process', 'net', 'zlib', 'assert', 'buffer', 'querystring', 'readline', 'tls', 'dns', 'cluster', 'worker_threads', 'timers', 'vm']);

/** package.json with `pkg` added to dependencies (null when already there or not valid JSON). Keeps the indent. */
export function addNodeDependency(text: string, pkg: string, version = '*'): string | null {
  let obj: Record<string, unknown>;
  try {
    obj = text.trim() ? JSON.parse(text) : {};
  } catch {
    return null;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const deps = (obj.dependencies ?? {}) as Record<string, string>;
  const dev = (obj.devDependencies ?? {}) as Record<string, string>;
  if (deps[pkg] || dev[pkg]) return null;
  obj.dependencies = Object.fromEntries(Object.entries({ ...deps, [pkg]: version }).sort(([a], [b]) => a.localeCompare(b)));
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  return JSON.stringify(obj, null, indent).replace(/\n/g, nl) + (text === '' || /\r?\n$/.test(text) ? nl : '');
}
