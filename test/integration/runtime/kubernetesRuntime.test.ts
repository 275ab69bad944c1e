import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { isAutoDevError } from '../../../src/core/errors';
import { DEFAULT_RUNTIME_SETTINGS, type AppImage, type ContainerSession, type RuntimeSettings } from '../../../src/core/runtime/containerRuntime';
import { KubernetesRuntime, type ImagePublisher } from '../../../src/core/runtime/kubernetesRuntime';
import { FakeApiServer, fixture } from '../../support/fakeApiServer';
import { watch } from './runtimeHarness';

const IMAGE: AppImage = { tag: 'autodev/0123456789abcdef:latest', kind: 'python', workdir: '/app', appDir: '', mountSource: true, builtFrom: '/work/app', ports: [8000], cmd: ['python3', 'app.py'] };
const SETTINGS: RuntimeSettings = { ...DEFAULT_RUNTIME_SETTINGS, memoryMb: 256, cpus: 0.5 };

/** Records what would be built and pushed; the cluster side is what these tests are about. */
class RecordingPublisher implements ImagePublisher {
  readonly published: string[] = [];
  async buildImage(): Promise<AppImage> {
    return IMAGE;
  }
  async publish(_image: AppImage, sourceDir: string): Promise<string> {
    this.published.push(sourceDir);
    return `registry.example:5000/autodev-0123456789abcdef:run${this.published.length}`;
  }
}

/**
 * Contract tests of the Kubernetes runtime: the real @kubernetes/client-node against a fake apiserver on
 * 127.0.0.1 that answers with recorded API shapes (test/fixtures/kubernetes/README.md names their sources).
 */
describe('Kubernetes runtime (real client, fake apiserver over HTTP)', function () {
  this.timeout(60_000);
  let api: FakeApiServer;
  let runtime: KubernetesRuntime;
  let publisher: RecordingPublisher;
  const sessions: ContainerSession[] = [];

  beforeEach(async () => {
    api = new FakeApiServer();
    const url = await api.listen();
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig(url));
    publisher = new RecordingPublisher();
    runtime = new KubernetesRuntime({ kubeConfig: kc, publisher, startTimeoutMs: 10_000 });
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.stop().catch(() => undefined);
    await api.close();
  });

  const start = async (role: 'main' | 'scratch' = 'main') => {
    const s = await runtime.start(IMAGE, { sourceDir: '/work/app', role, workspaceId: '0123456789abcdef', settings: SETTINGS });
    sessions.push(s);
    return s;
  };
  /** Pods come up running once created. */
  const runOnCreate = () => (api.onCreate = (name) => api.setStatus(name, 'status-running.json'));

  it('answers ping from /version, and names the server when it does not answer', async () => {
    await runtime.ping();
    assert.equal(runtime.engine.kind, 'kubernetes');
    assert.equal(runtime.engine.label, 'Kubernetes fake-ctx · autodev-test');
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig('http://127.0.0.1:9'));
    await assert.rejects(new KubernetesRuntime({ kubeConfig: kc, publisher }).ping(), (err) => isAutoDevError(err, 'ClusterUnavailable') && /127\.0\.0\.1:9/.test(err.message));
  });

  it('creates one hardened pod per run: non-root, no capabilities, no privilege escalation, read-only root, requests = limits, labelled', async () => {
    runOnCreate();
    const s = await start();
    const post = api.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/autodev-test/pods');
    assert.ok(post, 'POST pods');
    const pod = post.body as { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; spec: Record<string, any> };
    assert.equal(pod.metadata.name, s.id);
    assert.deepEqual(pod.metadata.labels, { autodev: '1', 'autodev.workspace': '0123456789abcdef', 'autodev.role': 'main' });
    assert.equal(pod.metadata.annotations['autodev.owner.pid'], String(process.pid));
    assert.equal(pod.spec.restartPolicy, 'Never');
    assert.equal(pod.spec.automountServiceAccountToken, false);
    assert.deepEqual(pod.spec.securityContext, { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.spec.containers[0];
    assert.equal(c.image, 'registry.example:5000/autodev-0123456789abcdef:run1', 'the pushed image');
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.deepEqual(c.resources, { requests: { cpu: '0.5', memory: '256Mi' }, limits: { cpu: '0.5', memory: '256Mi' } });
    assert.deepEqual(c.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
    // An explicit environment, never the host's.
    assert.deepEqual(c.env.map((e: { name: string }) => e.name).sort(), ['HOME', 'PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED']);
    assert.deepEqual(publisher.published, ['/work/app']);
  });

  it('follows the log across a clean end and a cut connection without losing or repeating a line, and exits with the container code', async () => {
    runOnCreate();
    const s = await start();
    const w = watch(s);
    const name = s.id;
    const expected: string[] = [];
    const say = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        api.say(name, `tick ${i}`);
        expected.push(`tick ${i}`);
      }
    };
    say(0, 20);
    await w.waitForLine(/^tick 19$/);
    api.endLogFollows();
    say(20, 30); // logged while nobody follows: must arrive through the re-follow
    await w.waitForLine(/^tick 29$/);
    api.cutConnections();
    say(30, 45);
    await w.waitForLine(/^tick 44$/);
    say(45, 50);
    api.setStatus(name, 'status-exited-3.json');
    const exit = await w.nextExit();
    assert.deepEqual(exit, { exitCode: 3, signal: null, oomKilled: false, run: 1 });
    const got = w.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
    assert.deepEqual(got, expected);
    const system = w.lines.filter((l) => l.stream === 'system').map((l) => l.text);
    assert.ok(system.some((t) => /following the pod log again/.test(t)), system.join('\n'));
    const resumes = api.requests.filter((r) => r.path.endsWith('/log') && r.query.get('sinceTime'));
    assert.ok(resumes.length >= 1, 'a re-follow passes sinceTime');
    assert.match(resumes[0].query.get('sinceTime')!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('reads OOMKilled and the memory limit from the pod status', async () => {
    runOnCreate();
    const s = await start();
    const w = watch(s);
    api.say(s.id, 'allocating');
    api.setStatus(s.id, 'status-oomkilled.json');
    assert.deepEqual(await w.nextExit(), { exitCode: 137, signal: null, oomKilled: true, memoryLimitMb: 256, run: 1 });
  });

  it('restarts by deleting the pod and creating it anew from a freshly published image', async () => {
    runOnCreate();
    const s = await start();
    const w = watch(s);
    const first = s.id;
    api.say(first, 'first run');
    await w.waitForLine(/^first run$/);
    await s.restart();
    assert.notEqual(s.id, first);
    assert.ok(api.requests.some((r) => r.method === 'DELETE' && r.path === `/api/v1/namespaces/autodev-test/pods/${first}`));
    assert.ok(!api.pods.has(first));
    assert.equal(publisher.published.length, 2, 'the source is published again (a patch reaches the new pod)');
    api.say(s.id, 'second run');
    await w.waitForLine(/^second run$/);
    assert.equal(w.exits.length, 0, 'our own restart is not an exit of the app');
  });

  it('says the cluster cannot pull the image, naming the registry setting, and removes the pod', async () => {
    api.onCreate = (name) => api.setStatus(name, 'status-errimagepull.json');
    await assert.rejects(start(), (err) => isAutoDevError(err, 'ImageUnavailable') && /ErrImagePull/.test(err.message) && /autodev\.runtime\.kubernetes\.registry/.test(err.message));
    assert.equal(api.pods.size, 0);
  });

  it('cleans up by label: deletes pods whose owner process is gone, keeps live ones', async () => {
    runOnCreate();
    const mine = await start();
    const orphan = fixture('status-running.json');
    api.pods.set('autodev-orphan', {
      object: { metadata: { name: 'autodev-orphan', labels: { autodev: '1' }, annotations: { 'autodev.owner.pid': '999999999', 'autodev.owner.host': require('node:os').hostname(), 'autodev.owner.start': 'ticks:1' } }, spec: { containers: [{ image: 'x' }] }, status: orphan },
      log: [],
    });
    api.pods.set('someone-elses', { object: { metadata: { name: 'someone-elses', labels: { app: 'web' } }, spec: { containers: [{ image: 'y' }] } }, log: [] });
    assert.equal(await runtime.cleanupOrphans(), 1);
    assert.ok(api.requests.some((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/autodev-test/pods' && r.query.get('labelSelector') === 'autodev=1'));
    assert.deepEqual([...api.pods.keys()].sort(), [mine.id, 'someone-elses'].sort());
  });

  it('forwards the app port to 127.0.0.1 through the port-forward subresource', async () => {
    const app = http.createServer((req, res) => res.end(`pod answered ${req.url}`));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    try {
      api.forwards.set(8000, (app.address() as AddressInfo).port);
      runOnCreate();
      const s = await start();
      const local = s.publishedPorts.get(8000);
      assert.ok(local, 'port 8000 is published');
      const r = await fetch(`http://127.0.0.1:${local}/stats`);
      assert.equal(await r.text(), 'pod answered /stats');
      assert.ok(api.requests.some((q) => q.method === 'WS' && q.path === `/api/v1/namespaces/autodev-test/pods/${s.id}/portforward` && q.query.get('ports') === '8000'));
    } finally {
      app.close();
    }
  });

  it('runs the verify command through exec and reads its exit code from the final status', async () => {
    runOnCreate();
    api.execHandler = (cmd) => (cmd.join(' ') === 'sh -c exit 5' ? { output: 'nope\n', status: fixture('exec-status-exit5.json') } : { output: 'ok\n' });
    const s = await start('scratch');
    const exec = (s as ContainerSession & { exec(cmd: string[]): Promise<{ exitCode: number | null; output: string }> }).exec.bind(s);
    assert.deepEqual(await exec(['sh', '-c', 'exit 5']), { exitCode: 5, output: 'nope\n' });
    assert.deepEqual(await exec(['true']), { exitCode: 0, output: 'ok\n' });
  });
});
