import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretMasker, countMasks, maskDeep } from '../../../src/core/privacy/secretMasker';
import { parseDotenv } from '../../../src/core/privacy/dotenvSecrets';

describe('secret masker', () => {
  const r = createSecretMasker({ secrets: ['my-configured-key-123'] });
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
    // The formats the first version missed (issue 15).
    ['Stripe live key', 'charge with sk_live_51HqLyjWDarjtT1zdp7dc', 'sk_live_51HqLy', 'stripe-key'],
    ['Stripe restricted key', 'rk_live_51HqLyjWDarjtT1zdp7dc used', 'rk_live_51HqLy', 'stripe-key'],
    ['redis URL with an empty user', 'redis://:r3dis-pw-77@cache:6379/0', 'r3dis-pw-77', 'url-credentials'],
    ['Slack webhook', 'post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX ok', 'T00000000/B000', 'slack-webhook'],
    ['NAME_PASS= assignment', 'env DB_PASS=hunter22x set', 'hunter22x', 'password'],
    ['TOKEN= assignment', 'TOKEN=9f8e7d6c5b4a3f2e1d', '9f8e7d6c5b4a', 'password'],
    ['GitLab token', 'glpat-xxxxXXXX1234yyyyZZZZ used', 'glpat-xxxx', 'gitlab-token'],
    ['npm token', '//registry.npmjs.org/:_authToken npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm_abcdefghij', 'npm-token'],
    ['Hugging Face token', 'hf_abcdefghijklmnopqrstuvwxyzABCDEFGH', 'hf_abcdefghij', 'huggingface-token'],
    ['SendGrid key', 'SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg', 'SG.abcdefghij', 'sendgrid-key'],
    ['AWS secret key', 'secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here', 'wJalrXUtnFEMI', 'aws-secret-key'],
    ['Basic auth header', 'Authorization: Basic dXNlcjpodW50ZXIy', 'dXNlcjpodW50ZXIy', 'basic-auth'],
    ['Cookie header', 'Cookie: sid=31d4d96e407aad42; theme=light', '31d4d96e407aad42', 'cookie'],
  ];
  for (const [name, input, secret, kind] of cases) {
    it(`masks a ${name} and counts it as ${kind}`, () => {
      const out = r.mask(input);
      assert.ok(!out.text.includes(secret), out.text);
      assert.equal(out.counts[kind as keyof typeof out.counts], 1, JSON.stringify(out.counts));
      assert.ok(out.text.includes(`[REDACTED:${kind}]`));
    });
  }

  it('leaves code that merely names secrets alone', () => {
    for (const code of ['password = request.form["password"]', 'token = get_token()', 'if password is None:', 'const apiKey = process.env.API_KEY;', 'secret=None', 'max_tokens=1000', 'passenger = "Bob"', 'cookie = request.cookies.get("sid")', 'commit 3f786850e387550fdab836ed7e6dc881de23001b']) {
      assert.equal(r.mask(code).text, code);
    }
  });

  it('masks the values of every .env* file in the workspace, keeping harmless values readable', () => {
    const ws = mkdtempSync(join(tmpdir(), 'autodev-redact-'));
    try {
      writeFileSync(join(ws, '.env'), '# c\nexport DB_PASS="s3cr3t-db"\nPORT=8000\nDEBUG=true\nSTRIPE=\'rk_live_abcdef\' # inline\n');
      mkdirSync(join(ws, 'api'));
      writeFileSync(join(ws, 'api', '.env.local'), 'API_TOKEN=tok\n');
      const red = createSecretMasker({ workspaceDir: ws, secrets: [] });
      const out = red.mask('db s3cr3t-db port 8000 stripe rk_live_abcdef token: tok debug true');
      assert.equal(out.text, 'db [REDACTED:env-value] port 8000 stripe [REDACTED:env-value] token: [REDACTED:env-value] debug true');
      assert.equal(out.counts['env-value'], 3);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('reads .env* files at any depth, but not inside dependency folders', () => {
    const ws = mkdtempSync(join(tmpdir(), 'autodev-redact-'));
    try {
      mkdirSync(join(ws, 'services', 'api', 'config'), { recursive: true });
      writeFileSync(join(ws, 'services', 'api', 'config', '.env.production'), 'DEEP_SECRET=deep-canary-31337\n');
      mkdirSync(join(ws, 'node_modules', 'pkg'), { recursive: true });
      writeFileSync(join(ws, 'node_modules', 'pkg', '.env'), 'DEP=dependency-value-9\n');
      const red = createSecretMasker({ workspaceDir: ws, secrets: [] });
      assert.equal(red.maskText('x deep-canary-31337 y'), 'x [REDACTED:env-value] y');
      assert.equal(red.maskText('dependency-value-9'), 'dependency-value-9');
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  describe('encoded secrets', () => {
    const canary = 'Canary-Secret-4d2f8a91c7';
    const envFile = `DB_HOST=db\nDB_PASSWORD=${canary}\nPORT=8000\n`;
    const m = createSecretMasker({ secrets: [canary] });
    const cases: [string, string][] = [
      ['base64 of the value', Buffer.from(canary).toString('base64')],
      ['base64url of the value', Buffer.from(canary).toString('base64url')],
      ['hex of the value', Buffer.from(canary).toString('hex')],
      ['URL-encoding of a value with specials', encodeURIComponent(`${canary}/?&`)],
      ['base64 of the whole .env file', Buffer.from(envFile).toString('base64')],
      ['base64 of the .env file, shifted by one byte', Buffer.from('x' + envFile).toString('base64')],
      ['base64url of the .env file', Buffer.from('yy' + envFile).toString('base64url')],
      ['hex of the .env file', Buffer.from(envFile).toString('hex')],
      ['URL-encoded .env file', encodeURIComponent(envFile)],
    ];
    for (const [name, encoded] of cases) {
      it(`masks the ${name}`, () => {
        const out = m.mask(`candidate printed: ${encoded} (done)`);
        assert.ok(!out.text.includes(encoded), out.text);
        assert.ok(out.text.startsWith('candidate printed: ') && out.text.endsWith(' (done)'), out.text);
      });
    }

    it('masks base64 wrapped at 76 columns line by line (a secret split over two lines)', () => {
      const wrapped = Buffer.from(`${'A'.repeat(40)}=${canary}\n`.repeat(3)).toString('base64').match(/.{1,76}/g)!;
      let checked = 0;
      for (const line of wrapped) {
        const decoded = Buffer.from(line, 'base64').toString('latin1');
        const leaks = [...Array(canary.length - 7).keys()].some((i) => decoded.includes(canary.slice(i, i + 8)));
        if (!leaks) continue;
        checked++;
        assert.equal(m.maskText(line), '[REDACTED:encoded-secret]', `line ${line} decodes to a part of the secret`);
      }
      assert.ok(checked >= 3, `${checked} lines carried a part of the secret`);
    });

    it('masks base64 of a credential shape it was never told about', () => {
      const b64 = Buffer.from('OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWx\n').toString('base64');
      assert.equal(createSecretMasker({ secrets: [] }).maskText(b64), '[REDACTED:encoded-secret]');
    });

    it('leaves ordinary base64 and hex alone', () => {
      const plain = createSecretMasker({ secrets: [canary] });
      for (const t of [Buffer.from('hello world, nothing secret here').toString('base64'), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '/usr/local/lib/python3.11/site-packages/flask/app.py']) {
        assert.equal(plain.maskText(t), t);
      }
    });
  });

  it('learns observed secrets later, and counts the markers in any text', () => {
    const m = createSecretMasker({ secrets: [] });
    assert.equal(m.maskText('session-cookie-value-1'), 'session-cookie-value-1');
    m.addSecret('session-cookie-value-1');
    const out = m.maskText('a session-cookie-value-1 b');
    assert.equal(out, 'a [REDACTED:observed-secret] b');
    assert.deepEqual(countMasks(`${out} ${m.maskText('password=abc12345')}`), { 'observed-secret': 1, password: 1 });
  });

  it('remembers a bounded number of observed secrets, the newest', () => {
    const m = createSecretMasker({ secrets: ['configured-key-0001'] });
    for (let i = 0; i < 1000; i++) m.addSecret(`observed-token-${i}`);
    assert.equal(m.knownSecretCount, 257);
    assert.equal(m.maskText('observed-token-999'), '[REDACTED:observed-secret]');
    assert.equal(m.maskText('x observed-token-0 y'), 'x observed-token-0 y');
    assert.equal(m.maskText('configured-key-0001'), '[REDACTED:configured-key]', 'configured keys are never forgotten');
  });

  it('masks every string of an object except the kept keys', () => {
    const m = createSecretMasker({ secrets: ['configured-key-0001'] });
    const out = maskDeep({ a: 'configured-key-0001', list: [{ b: 'x configured-key-0001' }], original: 'configured-key-0001', n: 3 }, m, new Set(['original']));
    assert.deepEqual(out, { a: '[REDACTED:configured-key]', list: [{ b: 'x [REDACTED:configured-key]' }], original: 'configured-key-0001', n: 3 });
  });

  it('parses dotenv syntax', () => {
    assert.deepEqual(parseDotenv('A=1\nexport B = "two words"\n# x\nC=three # note\nD=\n'), [
      { key: 'A', value: '1' },
      { key: 'B', value: 'two words' },
      { key: 'C', value: 'three' },
    ]);
  });
});
