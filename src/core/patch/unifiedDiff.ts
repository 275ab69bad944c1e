/** A small line-based unified diff (git style headers, 3 lines of context) for showing pending patches. */

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/** LCS over the changed middle (common prefix/suffix trimmed first, so fixes to large files stay cheap). */
function diffOps(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const ops: Op[] = [];
  for (let i = 0; i < pre; i++) ops.push({ kind: ' ', line: a[i], a: i, b: i });
  const n = am.length;
  const m = bm.length;
  if (n * m > 4_000_000) {
    // Too big for a table: show the middle as replaced wholesale (still a correct diff).
    am.forEach((l, i) => ops.push({ kind: '-', line: l, a: pre + i, b: pre }));
    bm.forEach((l, j) => ops.push({ kind: '+', line: l, a: pre + n, b: pre + j }));
  } else {
    const t: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) t[i][j] = am[i] === bm[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        ops.push({ kind: ' ', line: am[i], a: pre + i, b: pre + j });
        i++;
        j++;
      } else if (i < n && (j === m || t[i + 1][j] >= t[i][j + 1])) {
        // Deletions before insertions, as git shows them.
        ops.push({ kind: '-', line: am[i], a: pre + i, b: pre + j });
        i++;
      } else {
        ops.push({ kind: '+', line: bm[j], a: pre + i, b: pre + j });
        j++;
      }
    }
  }
  for (let k = 0; k < suf; k++) ops.push({ kind: ' ', line: a[a.length - suf + k], a: a.length - suf + k, b: b.length - suf + k });
  return ops;
}

/**
 * Unified diff of one file. `original` null means the file is created. Returns '' when nothing changed.
 */
export function unifiedDiff(file: string, original: string | null, patched: string, context = 3): string {
  const oldText = original ?? '';
  if (original !== null && oldText === patched) return '';
  const a = splitLines(oldText);
  const b = splitLines(patched);
  const ops = diffOps(a, b);
  const header = [`diff --git a/${file} b/${file}`];
  if (original === null) header.push('new file mode 100644', '--- /dev/null', `+++ b/${file}`);
  else header.push(`--- a/${file}`, `+++ b/${file}`);
  const changed = ops.map((o, i) => (o.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  const out: string[] = [...header];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(ops.length - 1, changed[k] + context);
    while (k + 1 < changed.length && changed[k + 1] - context <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, changed[k] + context);
    }
    k++;
    const hunk = ops.slice(start, end + 1);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aStart = aCount ? hunk.find((o) => o.kind !== '+')!.a + 1 : hunk[0].a;
    const bStart = bCount ? hunk.find((o) => o.kind !== '-')!.b + 1 : hunk[0].b;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const o of hunk) out.push(o.kind + o.line);
  }
  return out.join('\n') + '\n';
}
