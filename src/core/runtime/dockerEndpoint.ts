/**
 * Which Docker engine AutoDev talks to, resolved as the Docker CLI does: an explicit host (setting or
 * `--docker-host`), else an explicit context (`--context`), else DOCKER_HOST, else DOCKER_CONTEXT, else the
 * `currentContext` of ~/.docker/config.json, else the local socket. Contexts are read from
 * ~/.docker/contexts/meta/<sha256(name)>/meta.json and their TLS material from ~/.docker/contexts/tls/<sha256>/docker
 * (the layout `docker context create` writes; docker/cli cli/context/store). Any engine not reached over a local
 * socket is treated as remote: it cannot see this machine's files, so nothing is bind-mounted.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { AutoDevError } from '../errors';

export interface DockerTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false: the server certificate is not checked (DOCKER_TLS_VERIFY unset, or a context's SkipTLSVerify). */
  verify: boolean;
}

export interface DockerEndpoint {
  /** DOCKER_HOST-style address; undefined is the local default socket. */
  host: string | undefined;
  /** Where the choice came from, for messages ("DOCKER_HOST=…", "context remote-box"…). */
  source: 'setting' | 'env' | 'context' | 'default';
  /** The Docker context name when one was used. */
  context?: string;
  tls?: DockerTls;
  /** True when the engine cannot see this machine's files (anything but a local socket). */
  remote: boolean;
}

export interface EndpointInput {
  /** `autodev.runtime.dockerHost` or `--docker-host`. */
  dockerHost?: string;
  /** `--context`. */
  context?: string;
  env: NodeJS.ProcessEnv;
  /** Home directory (tests pass a temp one). */
  home?: string;
}

/** The directory name Docker gives a context's metadata and TLS files. */
export function contextId(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function dockerConfigDir(input: EndpointInput): string {
  return input.env.DOCKER_CONFIG?.trim() || path.join(input.home ?? input.env.HOME?.trim() ?? os.homedir(), '.docker');
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function isLocalSocket(host: string | undefined): boolean {
  return !host || host.startsWith('unix://') || host.startsWith('npipe://');
}

/** TLS from DOCKER_CERT_PATH / DOCKER_TLS_VERIFY (docker-py and the CLI read the same variables). */
function envTls(host: string, input: EndpointInput): DockerTls | undefined {
  const verify = !!input.env.DOCKER_TLS_VERIFY && input.env.DOCKER_TLS_VERIFY !== '0';
  const certPath = input.env.DOCKER_CERT_PATH?.trim();
  if (!verify && !certPath && !/:2376\/?$/.test(host)) return undefined;
  const dir = certPath || dockerConfigDir(input);
  return { ca: readOptional(path.join(dir, 'ca.pem')), cert: readOptional(path.join(dir, 'cert.pem')), key: readOptional(path.join(dir, 'key.pem')), verify };
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

function fromContext(name: string, input: EndpointInput): DockerEndpoint {
  if (name === 'default') return { host: undefined, source: 'context', context: name, remote: false };
  const dir = dockerConfigDir(input);
  const id = contextId(name);
  const metaFile = path.join(dir, 'contexts', 'meta', id, 'meta.json');
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  } catch (err) {
    throw new AutoDevError(
      'DockerUnavailable',
      `Docker context "${name}" is not defined (${metaFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). List contexts with \`docker context ls\`.`,
    );
  }
  const host = meta.Endpoints?.docker?.Host?.trim();
  if (!host) throw new AutoDevError('DockerUnavailable', `Docker context "${name}" has no Docker endpoint (${metaFile}).`);
  const tlsDir = path.join(dir, 'contexts', 'tls', id, 'docker');
  const ca = readOptional(path.join(tlsDir, 'ca.pem'));
  const cert = readOptional(path.join(tlsDir, 'cert.pem'));
  const key = readOptional(path.join(tlsDir, 'key.pem'));
  const skip = meta.Endpoints?.docker?.SkipTLSVerify === true;
  const tls = ca || cert || key || skip ? { ca, cert, key, verify: !skip } : undefined;
  return { host, source: 'context', context: name, remote: !isLocalSocket(host), ...(tls ? { tls } : {}) };
}

/** The engine to use, following the Docker CLI's precedence. Throws AutoDevError for a context that does not exist. */
export function resolveDockerEndpoint(input: EndpointInput): DockerEndpoint {
  const explicit = input.dockerHost?.trim();
  if (explicit) return withEnvTls({ host: explicit, source: 'setting', remote: !isLocalSocket(explicit) }, input);
  const explicitContext = input.context?.trim();
  if (explicitContext) return fromContext(explicitContext, input);
  const envHost = input.env.DOCKER_HOST?.trim();
  if (envHost) return withEnvTls({ host: envHost, source: 'env', remote: !isLocalSocket(envHost) }, input);
  const envContext = input.env.DOCKER_CONTEXT?.trim();
  if (envContext) return fromContext(envContext, input);
  const configFile = path.join(dockerConfigDir(input), 'config.json');
  let current: string | undefined;
  try {
    current = (JSON.parse(readFileSync(configFile, 'utf8')) as { currentContext?: string }).currentContext?.trim() || undefined;
  } catch {
    // no config, or not JSON: the CLI falls back to the default context too
  }
  if (current) return fromContext(current, input);
  return { host: undefined, source: 'default', remote: false };
}

function withEnvTls(e: DockerEndpoint, input: EndpointInput): DockerEndpoint {
  if (!e.host || !/^(tcp|https?):\/\//.test(e.host)) return e;
  const tls = envTls(e.host, input);
  return tls ? { ...e, tls } : e;
}

/** One line for the UI and messages: "tcp://10.0.0.5:2376 (TLS, context build-box)". */
export function describeEndpoint(e: DockerEndpoint): string {
  const where = e.host ?? 'local socket /var/run/docker.sock';
  const notes = [e.tls ? (e.tls.verify ? 'TLS' : 'TLS, unverified') : undefined, e.context ? `context ${e.context}` : e.source === 'env' ? 'DOCKER_HOST' : undefined].filter(Boolean);
  return notes.length ? `${where} (${notes.join(', ')})` : where;
}

/** dockerode connection options for an endpoint (undefined: dockerode's default socket). */
export function dockerModemOptions(e: DockerEndpoint): Docker.DockerOptions | undefined {
  const host = e.host;
  // docker-modem merges these over what it reads from DOCKER_HOST itself, where a host beats a socketPath:
  // `host: undefined` keeps the chosen socket from being overridden by the environment.
  const socket = (socketPath: string) => ({ socketPath, host: undefined, port: undefined });
  if (!host) return socket('/var/run/docker.sock');
  if (host.startsWith('unix://')) return socket(host.slice('unix://'.length) || '/var/run/docker.sock');
  if (host.startsWith('npipe://')) return socket(host.slice('npipe://'.length));
  let url: URL;
  try {
    url = new URL(host.includes('//') ? host : `tcp://${host}`);
  } catch {
    throw new AutoDevError('DockerUnavailable', `Docker host "${host}" is not a valid address (e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376 or ssh://me@box).`);
  }
  if (url.protocol === 'ssh:') {
    // docker-modem runs `docker system dial-stdio` over ssh2 with the user's agent, as `docker -H ssh://` does.
    return { protocol: 'ssh', host: url.hostname, port: url.port || 22, username: url.username || undefined, sshOptions: { agent: process.env.SSH_AUTH_SOCK } } as Docker.DockerOptions;
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AutoDevError('DockerUnavailable', `Docker host "${host}" uses ${url.protocol}//, which AutoDev cannot reach (use unix://, tcp:// or ssh://).`);
  }
  const tls = e.tls ?? (url.protocol === 'https:' ? { verify: true } : undefined);
  const port = url.port || (tls ? 2376 : 2375);
  if (!tls) return { protocol: 'http', host: url.hostname, port };
  const opts: Docker.DockerOptions = { protocol: 'https', host: url.hostname, port, ca: tls.ca, cert: tls.cert, key: tls.key };
  // Without verification the CLI still speaks TLS but accepts any certificate; docker-modem needs an agent for that.
  if (!tls.verify) (opts as { agent?: HttpsAgent }).agent = new HttpsAgent({ ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: false, keepAlive: true });
  return opts;
}
