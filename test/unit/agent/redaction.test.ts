import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedactor, parseDotenv } from '../../../src/core/agent/redaction';

describe('secret redaction', () => {
  const r = createRedactor({ secrets: ['my-configured-key-123'] });
  const cases: [string, string, string, string][] = [
    ['OpenAI key', 'key=sk-proj-AbCdEfGhIjKlMnOpQrStUvWx', 'sk-proj-AbCd', 'openai-key'],
    ['OpenRouter key', 'using sk-or-v1-0123456789abcdef0123456789abcdef now', 'sk-or-v1-0123', 'openrouter-key'],
    ['Google key', 'GOOGLE AIzaSyA1234567890abcdefghijklmnopqrstuv', 'AIzaSyA123', 'google-key'],
    ['GitHub token', 'token ghp_0123456789abcdefghijABCDEFGHIJ012345', 'ghp_0123', 'github-token'],
    ['GitHub PAT', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', 'github_pat_11', 'github-token'],
    ['AWS key', 'AKIAIOSFODNN7EXAMPLE in logs', 'AKIAIOSFODNN7', 'aws-key'],
    ['Slack token', 'xoxb-1234567890-abcdefghij', 'xoxb-123', 'slack-token'],
    ['JWT', 'cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'eyJzdWIi', 'jwt'],
    ['Bearer token', 'Authorization: Bearer abc123def456ghi789', 'abc123def456', 'bearer-token'],
    ['URL credentials', 'connect postgres://admin:hunter2pw@db:5432/x', 'hunter2pw', 'url-credentials'],
    ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----', 'MIIEabc', 'private-key'],
    ['password assignment', 'login failed password=letmein99 for bob', 'letmein99', 'password'],
    ['quoted secret in code', 'API_KEY = "zq8-unknown-format-value"', 'zq8-unknown', 'password'],
    ['configured key', 'sent my-configured-key-123 to server', 'my-configured-key-123', 'configured-key'],
  ];
  for (const [name, input, secret, kind] of cases) {
    it(`masks a ${name} and counts it as ${kind}`, () => {
      const out = r.redact(input);
      assert.ok(!out.text.includes(secret), out.text);
      assert.equal(out.counts[kind as keyof typeof out.counts], 1, JSON.stringify(out.counts));
      assert.ok(out.text.includes(`[REDACTED:${kind}]`));
    });
  }

  it('leaves code that merely names secrets alone', () => {
    for (const code of ['password = request.form["password"]', 'token = get_token()', 'if password is None:', 'const apiKey = process.env.API_KEY;', 'secret=None']) {
      assert.equal(r.redact(code).text, code);
    }
  });

  it('masks the values of every .env* file in the workspace, keeping harmless values readable', () => {
    const ws = mkdtempSync(join(tmpdir(), 'autodev-redact-'));
    try {
      writeFileSync(join(ws, '.env'), '# c\nexport DB_PASS="s3cr3t-db"\nPORT=8000\nDEBUG=true\nSTRIPE=\'rk_live_abcdef\' # inline\n');
      mkdirSync(join(ws, 'api'));
      writeFileSync(join(ws, 'api', '.env.local'), 'API_TOKEN=tok\n');
      const red = createRedactor({ workspaceDir: ws, secrets: [] });
      const out = red.redact('db s3cr3t-db port 8000 stripe rk_live_abcdef token: tok debug true');
      assert.equal(out.text, 'db [REDACTED:env-value] port 8000 stripe [REDACTED:env-value] token: [REDACTED:env-value] debug true');
      assert.equal(out.counts['env-value'], 3);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('parses dotenv syntax', () => {
    assert.deepEqual(parseDotenv('A=1\nexport B = "two words"\n# x\nC=three # note\nD=\n'), [
      { key: 'A', value: '1' },
      { key: 'B', value: 'two words' },
      { key: 'C', value: 'three' },
    ]);
  });
});
