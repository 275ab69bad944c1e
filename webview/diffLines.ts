/** Classifies unified-diff lines for colouring (the diff itself is shown as text). */

export type DiffLineKind = 'add' | 'del' | 'hunk' | 'file' | 'ctx';

export function classifyDiffLine(line: string): DiffLineKind {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) return 'file';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  return 'ctx';
}

/** Counts added/removed lines, ignoring file headers. */
export function diffStat(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    const k = classifyDiffLine(line);
    if (k === 'add') added++;
    else if (k === 'del') removed++;
  }
  return { added, removed };
}
