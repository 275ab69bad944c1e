/**
 * Near names for the built-in fixer: a typo'd key, identifier, attribute or module is usually one or two edits away
 * from a name the program does define. Finding that name is the real fix; a guard only hides the typo.
 */

/** Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), stopping early above `max`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i][0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2][j - 2] + 1);
      rows[i][j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
  }
  return rows[a.length][b.length];
}

/**
 * The one candidate nearest to `name` within edit distance 2 (1 for names of 3 characters or fewer), or null when
 * there is none or two are equally near (a guess between two names is not a fix). Case-only differences count as 1.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | null {
  const limit = name.length <= 3 ? 1 : 2;
  let best: string | null = null;
  let bestD = limit + 1;
  let tie = false;
  for (const c of new Set(candidates)) {
    if (c === name || !c) continue;
    const d = c.toLowerCase() === name.toLowerCase() ? 1 : editDistance(name, c, limit);
    if (d < bestD) {
      best = c;
      bestD = d;
      tie = false;
    } else if (d === bestD && c !== best) tie = true;
  }
  return best && !tie && bestD <= limit ? best : null;
}

/** Python's own suggestion in a NameError / AttributeError / ImportError message: `... Did you mean: 'title'?`. */
export function pythonSuggestion(message: string): string | null {
  const m = /Did you mean:? '([\w.]+)'\??/.exec(message);
  return m ? m[1] : null;
}

/** String keys a file writes literally: `'k': v` in dict displays, `d['k'] = v`, `dict(k=v)`, `{k: v}` in JS. */
export function literalKeys(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/(['"])([\w\- ]{1,60})\1\s*:/g)) out.add(m[2]);
  for (const m of text.matchAll(/\[\s*(['"])([\w\- ]{1,60})\1\s*\]\s*=(?!=)/g)) out.add(m[2]);
  for (const m of text.matchAll(/\bdict\(([^()]*)\)/g)) for (const k of m[1].matchAll(/(?:^|,)\s*([A-Za-z_]\w*)\s*=/g)) out.add(k[1]);
  // JavaScript object literal keys without quotes: `{ todos: [] }`, `todos: [],` on its own line.
  for (const m of text.matchAll(/(?:[{,]|^)\s*([A-Za-z_$][\w$]*)\s*:(?!:)/gm)) out.add(m[1]);
  return out;
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
const JS_KEYWORDS = new Set(
  'break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof let new null return super switch this throw true try typeof undefined var void while with yield async await of'.split(' '),
);

/** The text without line comments: a comment that mentions the typo must not make it look defined. */
function withoutComments(text: string, lang: 'python' | 'js'): string {
  return lang === 'python' ? text.replace(/#.*$/gm, '') : text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Identifiers a file defines or uses (words outside strings and comments are close enough for a typo search). */
export function identifiers(text: string, lang: 'python' | 'js'): Set<string> {
  const code = withoutComments(text, lang);
  const keywords = lang === 'python' ? PY_KEYWORDS : JS_KEYWORDS;
  const out = new Set<string>();
  for (const m of code.matchAll(/[A-Za-z_$][\w$]*/g)) if (!keywords.has(m[0])) out.add(m[0]);
  return out;
}

/** Attribute / property names a file uses or defines: `.name`, `self.name =`, `def name(`, object literal keys. */
export function attributeNames(text: string, lang: 'python' | 'js'): Set<string> {
  const out = new Set<string>();
  for (const m of withoutComments(text, lang).matchAll(/\.([A-Za-z_$][\w$]*)/g)) out.add(m[1]);
  for (const m of text.matchAll(/\bdef\s+([A-Za-z_]\w*)/g)) out.add(m[1]);
  for (const k of literalKeys(text)) if (/^[A-Za-z_$][\w$]*$/.test(k)) out.add(k);
  return out;
}

/**
 * Importable local module names from a workspace listing (`pkg/`, `helpers.py`, `lib/db.js`): Python modules by
 * file stem and package folder, Node modules by relative path without extension.
 */
export function localModules(listing: readonly string[], lang: 'python' | 'js'): Set<string> {
  const out = new Set<string>();
  for (const entry of listing) {
    if (lang === 'python') {
      if (entry.endsWith('/')) {
        if (!entry.slice(0, -1).includes('/')) out.add(entry.slice(0, -1));
      } else if (entry.endsWith('.py')) out.add(entry.slice(0, -3).replace(/\//g, '.'));
    } else if (/\.(c|m)?js$/.test(entry)) out.add(entry.replace(/\.(c|m)?js$/, ''));
  }
  return out;
}

/** Frequently imported standard-library modules: `import jsn` is a typo of `json`, never a package to install. */
export const PYTHON_STDLIB = new Set(
  ('abc argparse array ast asyncio base64 bisect calendar collections concurrent configparser contextlib copy csv ' +
    'dataclasses datetime decimal difflib enum errno fnmatch fractions functools gc getpass glob gzip hashlib heapq ' +
    'hmac html http importlib inspect io ipaddress itertools json logging math mimetypes multiprocessing operator os ' +
    'pathlib pickle platform pprint queue random re secrets select shlex shutil signal socket socketserver sqlite3 ' +
    'ssl stat statistics string struct subprocess sys tempfile textwrap threading time timeit traceback types typing ' +
    'unicodedata unittest urllib uuid warnings weakref xml zipfile zlib zoneinfo').split(' '),
);
