// Puts images into the stack's registry, which stands in for ECR: the strict AWS backend answers
// DescribeImages from it and refuses manifests whose layers were never pushed, and its tasks pull
// and run what is there. So a test that needs "an image in ECR" pushes a real one.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireEnv } from './app.mjs';

function auth() {
  const user = requireEnv('BERTH_TEST_REGISTRY_USER');
  const password = requireEnv('BERTH_TEST_REGISTRY_PASSWORD');
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function pushBlob(repository, bytes) {
  const base = `http://${requireEnv('BERTH_TEST_REGISTRY')}`;
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { Authorization: auth() } });
  if (start.status !== 202) throw new Error(`registry upload of ${repository}: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location'), base);
  const digest = sha256(bytes);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { Authorization: auth(), 'Content-Type': 'application/octet-stream' },
    body: bytes,
  });
  if (put.status !== 201) throw new Error(`registry blob of ${repository}: ${put.status} ${await put.text()}`);
  return { digest, size: bytes.length };
}

/**
 * Pushes an image of one layer of `size` random bytes (random, so its pushed size is its size) as
 * repository:tag, the way `docker push` does over the registry API. Returns its digest.
 */
export async function pushSizedImage(repository, tag, size) {
  const layer = await pushBlob(repository, randomBytes(size));
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
  );
  const configBlob = await pushBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...configBlob },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
    }),
  );
  const response = await fetch(`http://${requireEnv('BERTH_TEST_REGISTRY')}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { Authorization: auth(), 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
    body: manifest,
  });
  if (response.status !== 201) throw new Error(`registry manifest ${repository}:${tag}: ${response.status} ${await response.text()}`);
  return sha256(manifest);
}

/**
 * Builds an image FROM the stack's busybox that runs `cmd` and pushes it as repository:tag with
 * the real Docker engine; returns its digest. The default serves HTTP on port 80, as a web app.
 */
export function pushRunnableImage(repository, tag, { cmd = ['httpd', '-f', '-p', '80'] } = {}) {
  const registry = requireEnv('BERTH_TEST_REGISTRY');
  const target = `${registry}/${repository}:${tag}`;
  // A docker config of its own: the login never touches the user's ~/.docker.
  const config = mkdtempSync(join(tmpdir(), 'berth-e2e-docker-'));
  const docker = (args, input) =>
    execFileSync('docker', ['--config', config, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString().trim();
  try {
    docker(['build', '-q', '-t', target, '-'], `FROM ${requireEnv('BERTH_TEST_IMAGE')}\nCMD ${JSON.stringify(cmd)}\n`);
    docker(['login', '-u', requireEnv('BERTH_TEST_REGISTRY_USER'), '--password-stdin', registry], requireEnv('BERTH_TEST_REGISTRY_PASSWORD'));
    docker(['push', '-q', target]);
    const digest = docker(['inspect', '--format', '{{index .RepoDigests 0}}', target]).split('@')[1];
    docker(['rmi', target]);
    return digest;
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}
