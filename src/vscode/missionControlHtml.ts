/** The Mission Control page: a strict CSP (nonce for the one script), no inline handlers or styles. No `vscode` import. */
import { randomBytes } from 'node:crypto';

export interface MissionControlHtmlOptions {
  /** webview.asWebviewUri(dist/webview.js) */
  scriptUri: string;
  /** webview.asWebviewUri(media/missionControl.css) */
  styleUri: string;
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
}

/** 128 bits from the OS CSPRNG, base64 (the CSP nonce grammar allows base64 characters). */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function missionControlHtml(opts: MissionControlHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(opts.nonce)) throw new Error('missionControlHtml: the nonce must be at least 16 base64 characters');
  // cspSource goes into the policy verbatim: a `;` or quote would let it add directives. VS Code (desktop and
  // server, ≥1.8x) hands out `'self' https://*.vscode-cdn.net`, so the one quoted keyword 'self' is allowed.
  if (!opts.cspSource.trim() || /[;'"\r\n]/.test(opts.cspSource.replace(/'self'/g, ''))) throw new Error('missionControlHtml: invalid cspSource');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${opts.nonce}'`,
    `style-src ${opts.cspSource} 'nonce-${opts.nonce}'`,
    `img-src ${opts.cspSource} data:`,
    `font-src ${opts.cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(opts.styleUri)}" nonce="${opts.nonce}">
<title>AutoDev Mission Control</title>
</head>
<body>
<div id="app"></div>
<script nonce="${opts.nonce}" src="${escapeAttr(opts.scriptUri)}"></script>
</body>
</html>
`;
}
