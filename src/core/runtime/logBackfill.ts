/** Re-following a container's logs: which of the lines read again were already shown. */

/** How many leading lines of `incoming` were already shown (the longest prefix that ends like `shown`). */
export function overlap(shown: string[], incoming: string[]): number {
  for (let i = incoming.length; i > 0; i--) {
    const m = Math.min(i, shown.length, 50);
    if (m === 0) return 0;
    let same = true;
    for (let k = 1; k <= m; k++) {
      if (incoming[i - k] !== shown[shown.length - k]) {
        same = false;
        break;
      }
    }
    if (same) return i;
  }
  return 0;
}
