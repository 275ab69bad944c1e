import * as assert from 'node:assert/strict';
import { apiKeyFromEnv } from '../../../src/core/agent/presets';
import { allowOrigin, endpointOrigin, keyForEndpoint, parseStoredKeys, serializeStoredKeys, withKey } from '../../../src/core/privacy/keyBinding';

describe('keys stay with their endpoint', () => {
  it('binds a key stored before binding existed to its preset\'s own origin', () => {
    const keys = parseStoredKeys('sk-or-v1-legacy', 'openrouter');
    assert.deepEqual(keyForEndpoint(keys, 'https://openrouter.ai/api/v1'), { kind: 'use', key: 'sk-or-v1-legacy' });
    assert.deepEqual(keyForEndpoint(keys, 'https://openrouter.ai/other/path'), { kind: 'use', key: 'sk-or-v1-legacy' }, 'the origin, not the path');
  });

  it('does not send a stored key to another base URL (a workspace setting) without confirmation', () => {
    const keys = parseStoredKeys('sk-or-v1-legacy', 'openrouter');
    for (const url of ['https://evil.example/v1', 'http://openrouter.ai/api/v1', 'https://openrouter.ai:8443/api/v1', 'https://openrouter.ai.evil.example/v1']) {
      assert.deepEqual(keyForEndpoint(keys, url), { kind: 'confirm', key: 'sk-or-v1-legacy', origin: endpointOrigin(url), boundTo: ['https://openrouter.ai'] }, url);
    }
    assert.deepEqual(keyForEndpoint(keys, 'not a url'), { kind: 'none' });
    assert.deepEqual(keyForEndpoint(keys, 'file:///etc/passwd'), { kind: 'none' });
  });

  it('remembers a confirmation, and a key entered for a new endpoint goes only there', () => {
    let keys = parseStoredKeys('sk-or-v1-legacy', 'openrouter')!;
    keys = allowOrigin(keys, 'sk-or-v1-legacy', 'http://127.0.0.1:4000');
    assert.deepEqual(keyForEndpoint(keys, 'http://127.0.0.1:4000/v1'), { kind: 'use', key: 'sk-or-v1-legacy' });
    keys = withKey(keys, 'proxy-key-123', 'https://proxy.example');
    const again = parseStoredKeys(serializeStoredKeys(keys), 'openrouter');
    assert.deepEqual(keyForEndpoint(again, 'https://proxy.example/v1'), { kind: 'use', key: 'proxy-key-123' });
    assert.deepEqual(keyForEndpoint(again, 'https://openrouter.ai/api/v1'), { kind: 'use', key: 'sk-or-v1-legacy' });
    assert.equal(keyForEndpoint(again, 'https://third.example').kind, 'confirm');
  });

  it('asks before the first use of a custom endpoint\'s unbound key', () => {
    assert.equal(keyForEndpoint(parseStoredKeys('custom-key-1', 'custom'), 'http://127.0.0.1:8000/v1').kind, 'confirm');
    assert.deepEqual(keyForEndpoint(undefined, 'http://127.0.0.1:8000/v1'), { kind: 'none' });
  });

  it('never gives a vendor\'s env key to another origin: the generic AUTODEV_API_KEY only', () => {
    const env = { OPENROUTER_API_KEY: 'or-key', OPENAI_API_KEY: 'oa-key' };
    assert.equal(apiKeyFromEnv(env, 'openrouter', 'https://openrouter.ai/api/v1'), 'or-key');
    assert.equal(apiKeyFromEnv(env, 'openrouter', 'https://evil.example/v1'), undefined);
    assert.equal(apiKeyFromEnv({ ...env, AUTODEV_API_KEY: 'generic' }, 'openrouter', 'https://evil.example/v1'), 'generic');
    assert.equal(apiKeyFromEnv(env, undefined, 'https://api.openai.com/v1'), 'oa-key');
    assert.equal(apiKeyFromEnv(env, undefined, 'https://evil.example/v1'), undefined);
  });
});
