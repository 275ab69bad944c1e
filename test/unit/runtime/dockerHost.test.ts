import * as assert from 'node:assert/strict';
import Docker from 'dockerode';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isAutoDevError } from '../../../src/core/errors';
import { contextId, describeEndpoint, dockerModemOptions, resolveDockerEndpoint, type DockerEndpoint } from '../../../src/core/runtime/dockerEndpoint';
import { imageTagFor, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';

const FIXTURES = path.resolve(__dirname, '../../fixtures/runtime');
const at = (host: string): DockerEndpoint => ({ host, source: 'setting', remote: !host.startsWith('unix://') });

describe('Docker host addresses', () => {
  it('uses the default socket when no host is given', () => {
    assert.deepEqual(dockerModemOptions({ host: undefined, source: 'default', remote: false }), { socketPath: '/var/run/docker.sock', host: undefined, port: undefined });
  });
  it('reads unix, tcp (plain and TLS port) and ssh addresses', () => {
    assert.deepEqual(dockerModemOptions(at('unix:///run/user/1000/docker.sock')), { socketPath: '/run/user/1000/docker.sock', host: undefined, port: undefined });
    assert.deepEqual(dockerModemOptions(at('tcp://127.0.0.1:2375')), { protocol: 'http', host: '127.0.0.1', port: '2375' });
    assert.deepEqual(dockerModemOptions(at('127.0.0.1:1')), { protocol: 'http', host: '127.0.0.1', port: '1' });
    const ssh = dockerModemOptions(at('ssh://me@build-box')) as Record<string, unknown>;
    assert.deepEqual({ ...ssh, sshOptions: undefined }, { protocol: 'ssh', host: 'build-box', port: 22, username: 'me', sshOptions: undefined });
  });
  it('keeps the chosen socket even when DOCKER_HOST in the environment names another engine (issue 15)', () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:9';
    try {
      const modem = (new Docker(dockerModemOptions(at('unix:///run/autodev-test.sock'))) as unknown as { modem: { socketPath?: string; host?: string } }).modem;
      assert.equal(modem.socketPath, '/run/autodev-test.sock');
      assert.equal(modem.host, undefined);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
  it('says what a valid address looks like when it cannot be read, and refuses schemes it cannot reach', () => {
    assert.throws(() => dockerModemOptions(at('tcp://[bad')), (err) => isAutoDevError(err, 'DockerUnavailable') && /tcp:\/\/10\.0\.0\.5:2376/.test(err.message));
    assert.throws(() => dockerModemOptions(at('fd://')), (err) => isAutoDevError(err, 'DockerUnavailable') && /fd:/.test(err.message));
  });
  it('tags images deterministically per workspace folder', () => {
    assert.equal(imageTagFor('/tmp/a'), imageTagFor('/tmp/a/'));
    assert.notEqual(imageTagFor('/tmp/a'), imageTagFor('/tmp/b'));
    assert.match(imageTagFor('/tmp/a'), /^autodev\/[0-9a-f]{16}:latest$/);
    assert.equal(workspaceIdFor('/tmp/a').length, 16);
  });
});

describe('which Docker engine (the CLI precedence: host, context, DOCKER_HOST, DOCKER_CONTEXT, currentContext)', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'autodev-dockercfg-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  /** Writes a context the way `docker context create` lays it out. */
  function addContext(name: string, meta: string, tls?: Record<string, string>): void {
    const dir = path.join(home, '.docker', 'contexts', 'meta', contextId(name));
    mkdirSync(dir, { recursive: true });
    copyFileSync(meta, path.join(dir, 'meta.json'));
    if (tls) {
      const tlsDir = path.join(home, '.docker', 'contexts', 'tls', contextId(name), 'docker');
      mkdirSync(tlsDir, { recursive: true });
      for (const [f, text] of Object.entries(tls)) writeFileSync(path.join(tlsDir, f), text);
    }
  }

  it('names a context directory by the sha256 of its name, as the Docker CLI does', () => {
        // `printf build-box | sha256sum`
    assert.equal(contextId('build-box'), '8ae84a3bb8d6b65c7b4b5543c9d2dad765e24dc443e82086aa069ee87470b92b');
  });

  it('falls back to the local socket, which is not remote', () => {
    const e = resolveDockerEndpoint({ env: {}, home });
    assert.deepEqual(e, { host: undefined, source: 'default', remote: false });
    assert.equal(describeEndpoint(e), 'local socket /var/run/docker.sock');
  });

  it('reads the current context from config.json with its TLS files, and treats it as remote', () => {
    addContext('build-box', path.join(FIXTURES, 'docker-context-meta.json'), { 'ca.pem': 'CA', 'cert.pem': 'CERT', 'key.pem': 'KEY' });
    writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: 'build-box' }));
    const e = resolveDockerEndpoint({ env: {}, home });
    assert.equal(e.host, 'tcp://build-box.example:2376');
    assert.equal(e.source, 'context');
    assert.equal(e.context, 'build-box');
    assert.equal(e.remote, true);
    assert.equal(e.tls?.verify, true);
    assert.equal(e.tls?.ca?.toString(), 'CA');
    const opts = dockerModemOptions(e) as Record<string, unknown>;
    assert.equal(opts.protocol, 'https');
    assert.equal(String(opts.cert), 'CERT');
    assert.equal(describeEndpoint(e), 'tcp://build-box.example:2376 (TLS, context build-box)');
  });

  it('lets DOCKER_HOST win over the current context, and --docker-host / --context over both', () => {
    addContext('build-box', path.join(FIXTURES, 'docker-context-meta.json'));
    writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'build-box' }));
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1:23750' }, home }).host, 'tcp://127.0.0.1:23750');
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1:23750' }, home, context: 'build-box' }).host, 'tcp://build-box.example:2376');
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1:23750' }, home, dockerHost: 'ssh://me@gpu-box', context: 'build-box' }).host, 'ssh://me@gpu-box');
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'default' }, home }).host, undefined);
  });

  it('takes TLS from DOCKER_CERT_PATH with DOCKER_TLS_VERIFY, and skips verification only when asked', () => {
    const certs = path.join(home, 'certs');
    mkdirSync(certs);
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(certs, f), f);
    const verified = resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, home });
    assert.equal(verified.tls?.verify, true);
    assert.equal(verified.tls?.key?.toString(), 'key.pem');
    assert.equal((dockerModemOptions(verified) as { agent?: unknown }).agent, undefined);
    const unverified = resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_CERT_PATH: certs }, home });
    assert.equal(unverified.tls?.verify, false);
    assert.ok((dockerModemOptions(unverified) as { agent?: unknown }).agent, 'an agent that accepts the certificate');
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' }, home }).tls, undefined);
  });

  it('says which context is missing instead of silently using another engine', () => {
    mkdirSync(path.join(home, '.docker'));
    writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'gone' }));
    assert.throws(() => resolveDockerEndpoint({ env: {}, home }), (err) => isAutoDevError(err, 'DockerUnavailable') && /context "gone" is not defined/.test(err.message));
    assert.throws(() => resolveDockerEndpoint({ env: {}, home, context: 'nope' }), (err) => isAutoDevError(err, 'DockerUnavailable') && /docker context ls/.test(err.message));
  });
});
