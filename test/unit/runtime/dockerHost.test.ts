import * as assert from 'node:assert/strict';
import { isAutoDevError } from '../../../src/core/errors';
import { dockerModemOptions, imageTagFor, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';

describe('Docker host addresses', () => {
  it('uses the default socket when no host is given', () => {
    assert.equal(dockerModemOptions(undefined), undefined);
  });
  it('reads unix, tcp (plain and TLS port) and ssh addresses', () => {
    assert.deepEqual(dockerModemOptions('unix:///run/user/1000/docker.sock'), { socketPath: '/run/user/1000/docker.sock' });
    assert.deepEqual(dockerModemOptions('tcp://127.0.0.1:2375'), { protocol: 'http', host: '127.0.0.1', port: '2375' });
    assert.deepEqual(dockerModemOptions('tcp://docker.internal:2376'), { protocol: 'https', host: 'docker.internal', port: '2376' });
    assert.deepEqual(dockerModemOptions('127.0.0.1:1'), { protocol: 'http', host: '127.0.0.1', port: '1' });
    assert.deepEqual(dockerModemOptions('ssh://me@build-box'), { protocol: 'ssh', host: 'build-box', port: 22, username: 'me' });
  });
  it('says what a valid DOCKER_HOST looks like when it cannot be read', () => {
    assert.throws(() => dockerModemOptions('tcp://[bad'), (err) => isAutoDevError(err, 'DockerUnavailable') && /tcp:\/\/127\.0\.0\.1:2375/.test(err.message));
  });
  it('tags images deterministically per workspace folder', () => {
    assert.equal(imageTagFor('/tmp/a'), imageTagFor('/tmp/a/'));
    assert.notEqual(imageTagFor('/tmp/a'), imageTagFor('/tmp/b'));
    assert.match(imageTagFor('/tmp/a'), /^autodev\/[0-9a-f]{16}:latest$/);
    assert.equal(workspaceIdFor('/tmp/a').length, 16);
  });
});
