import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, onTestFinished, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { AwsConfigSummary, BerthError, DockerContexts, DockerStatus } from '../ipc/types';
import { resetAccount, setOverview } from '../lib/account.svelte';
import {
  accountOverview,
  awsEmpty,
  awsWithProfiles,
  deferred,
  resetLanguage,
  runningDocker,
  sleep,
  unavailableDocker,
} from '../test/fixtures';
import Environment from './Environment.svelte';

type Answer<T> = T | Promise<T> | (() => T | Promise<T>);

/** The docker CLI's contexts when only the default one exists. */
const onlyDefault: DockerContexts = {
  contexts: [{ name: 'default', description: '', host: 'unix:///var/run/docker.sock', tls: false, error: null }],
  current: 'default',
  source: 'default',
  cliCurrent: 'default',
  chosen: null,
  configDir: '/home/ada/.docker',
};

/**
 * Mocks the two probes (and the context list); each answer may be a value, a promise, or a
 * function called per invoke. `choose` answers choose_docker_context and records its names.
 */
function backend(
  docker: Answer<DockerStatus>,
  aws: Answer<AwsConfigSummary>,
  contexts: Answer<DockerContexts> = onlyDefault,
  choose?: (name: string | null) => DockerStatus,
) {
  const calls = { docker: 0, aws: 0, chosen: [] as (string | null)[] };
  mockIPC((cmd, args) => {
    if (cmd === 'probe_docker') {
      calls.docker++;
      return typeof docker === 'function' ? docker() : docker;
    }
    if (cmd === 'read_aws_config') {
      calls.aws++;
      return typeof aws === 'function' ? aws() : aws;
    }
    if (cmd === 'list_docker_contexts') return typeof contexts === 'function' ? contexts() : contexts;
    if (cmd === 'choose_docker_context' && choose) {
      const name = (args as { name: string | null }).name;
      calls.chosen.push(name);
      return choose(name);
    }
    throw new Error(`unexpected command ${cmd}`);
  });
  return calls;
}

const dockerCard = () => page.getByRole('region', { name: 'Docker' });
const awsCard = () => page.getByRole('region', { name: 'AWS configuration' });

beforeEach(resetLanguage);
afterEach(() => {
  clearMocks();
  resetLanguage();
});

test('"Start" leads to step 1, Account', async () => {
  backend(runningDocker, awsEmpty);
  const visited: string[] = [];
  await render(Environment, { refreshMs: 60_000, onnavigate: (page: string) => visited.push(page) });
  await page.getByRole('button', { name: 'Start: step 1, Account' }).click();
  expect(visited).toEqual(['account']);
});

describe('Docker card', () => {
  test('shows the running engine with version, API version, OS/arch and host', async () => {
    backend(runningDocker, awsEmpty);
    await render(Environment, { refreshMs: 60_000 });

    const card = dockerCard();
    await expect.element(card.getByText('Docker engine is running')).toBeVisible();
    await expect.element(card.getByText('Ready')).toBeVisible();
    const facts = card.getByRole('definition');
    await expect.element(card.getByRole('term').nth(0)).toHaveTextContent('Engine version');
    await expect.element(facts.nth(0)).toHaveTextContent('27.3.1');
    await expect.element(card.getByRole('term').nth(1)).toHaveTextContent('API version');
    await expect.element(facts.nth(1)).toHaveTextContent('1.47');
    await expect.element(facts.nth(2)).toHaveTextContent('linux/amd64');
    await expect.element(facts.nth(3)).toHaveTextContent('unix:///var/run/docker.sock');
  });

  test('dockerNotRunning with DOCKER_HOST from the environment shows the title and the DOCKER_HOST fix', async () => {
    backend(
      unavailableDocker({
        kind: 'dockerNotRunning',
        params: { host: 'tcp://build-box:2375', hostSource: 'env' },
        details: 'error trying to connect: Connection refused (os error 111)',
      }),
      awsEmpty,
    );
    await render(Environment, { refreshMs: 60_000 });

    const card = dockerCard();
    await expect.element(card.getByText('Docker is not running')).toBeVisible();
    await expect.element(card.getByText('Needs attention')).toBeVisible();
    await expect
      .element(card.getByText(/Nothing answers at tcp:\/\/build-box:2375, the address your DOCKER_HOST/))
      .toBeVisible();
    await expect.element(card.getByText(/unset DOCKER_HOST/)).toBeVisible();
    expect(card.getByText('sudo systemctl start docker').query()).toBeNull();

    // Raw details stay folded away until asked for.
    const details = card.getByText('error trying to connect: Connection refused (os error 111)');
    await expect.element(details).not.toBeVisible();
    await card.getByText('Details', { exact: true }).click();
    await expect.element(details).toBeVisible();
  });

  test('dockerNotRunning at the default socket tells how to start the engine, without DOCKER_HOST', async () => {
    backend(
      unavailableDocker({
        kind: 'dockerNotRunning',
        params: { host: 'unix:///var/run/docker.sock', hostSource: 'default' },
        details: null,
      }),
      awsEmpty,
    );
    await render(Environment, { refreshMs: 60_000 });

    const card = dockerCard();
    await expect.element(card.getByText(/Nothing answers at unix:\/\/\/var\/run\/docker.sock\./)).toBeVisible();
    await expect.element(card.getByText('sudo systemctl start docker')).toBeVisible();
    expect(card.getByText(/DOCKER_HOST/).query()).toBeNull();
    expect(card.getByText('Details', { exact: true }).query()).toBeNull();
  });

  test('dockerTooOld fills in the versions', async () => {
    backend(
      unavailableDocker({ kind: 'dockerTooOld', params: { apiVersion: '1.24', minimum: '1.41' }, details: null }),
      awsEmpty,
    );
    await render(Environment, { refreshMs: 60_000 });

    await expect.element(dockerCard().getByText('Docker is too old')).toBeVisible();
    await expect.element(dockerCard().getByText(/speaks Docker API 1\.24, but Berth needs 1\.41 or newer/)).toBeVisible();
  });

  test('an invoke rejection renders an error in the card instead of crashing', async () => {
    mockIPC((cmd) => {
      if (cmd === 'probe_docker') throw new Error('IPC channel closed');
      if (cmd === 'read_aws_config') return awsWithProfiles;
    });
    await render(Environment, { refreshMs: 60_000 });

    const card = dockerCard();
    await expect.element(card.getByText('Something unexpected happened')).toBeVisible();
    await card.getByText('Details', { exact: true }).click();
    await expect.element(card.getByText('IPC channel closed')).toBeVisible();
    // The other card is unaffected.
    await expect.element(awsCard().getByText('work-sso')).toBeVisible();
  });

  test('a BerthError rejection is shown with its own kind', async () => {
    const error: BerthError = { kind: 'dockerPermissionDenied', params: { host: 'unix:///var/run/docker.sock' }, details: null };
    mockIPC((cmd) => {
      if (cmd === 'probe_docker') return Promise.reject(error);
      if (cmd === 'list_docker_contexts') return onlyDefault;
      return awsEmpty;
    });
    await render(Environment, { refreshMs: 60_000 });

    await expect.element(dockerCard().getByText('No permission to use Docker')).toBeVisible();
    await expect.element(dockerCard().getByText('sudo usermod -aG docker $USER')).toBeVisible();
  });
});

describe('Docker contexts', () => {
  const colima: DockerStatus = {
    state: 'available',
    engine: {
      ...(runningDocker.state === 'available' ? runningDocker.engine : ({} as never)),
      host: 'unix:///Users/ada/.colima/default/docker.sock',
      context: 'colima',
      source: 'configFile',
    },
  };
  const three: DockerContexts = {
    contexts: [
      { name: 'default', description: '', host: 'unix:///var/run/docker.sock', tls: false, error: null },
      { name: 'colima', description: 'colima', host: 'unix:///Users/ada/.colima/default/docker.sock', tls: false, error: null },
      {
        name: 'broken',
        description: '',
        host: '',
        tls: false,
        error: { kind: 'dockerContextInvalid', params: { context: 'broken', reason: 'unreadable' }, details: null },
      },
    ],
    current: 'colima',
    source: 'configFile',
    cliCurrent: 'colima',
    chosen: null,
    configDir: '/Users/ada/.docker',
  };
  const contextSelect = () => dockerCard().getByRole('combobox', { name: 'Use Docker context' });

  test('shows the context in use and how it was chosen, and offers every context', async () => {
    backend(colima, awsEmpty, three);
    await render(Environment, { refreshMs: 60_000 });

    const card = dockerCard();
    await expect.element(card.getByRole('definition').nth(3)).toHaveTextContent('unix:///Users/ada/.colima/default/docker.sock');
    await expect.element(card.getByRole('term').nth(4)).toHaveTextContent('Docker context');
    await expect
      .element(card.getByRole('definition').nth(4))
      .toHaveTextContent("colima (the docker command's current context)");
    await expect.element(contextSelect()).toHaveValue('');
    const options = contextSelect().getByRole('option');
    await expect.element(options.nth(0)).toHaveTextContent('Automatic: as the docker command decides (colima)');
    await expect.element(options.nth(2)).toHaveTextContent('colima — unix:///Users/ada/.colima/default/docker.sock');
    await expect.element(options.nth(3)).toHaveTextContent("broken (can't be read)");
    await expect.element(options.nth(3)).toBeDisabled();
  });

  test('choosing a context switches to its engine', async () => {
    const calls = backend(colima, awsEmpty, three, () => runningDocker);
    await render(Environment, { refreshMs: 60_000 });
    await expect.element(contextSelect()).toBeEnabled();

    await contextSelect().selectOptions('default');
    await expect.poll(() => calls.chosen).toEqual(['default']);
    await expect.element(dockerCard().getByRole('definition').nth(3)).toHaveTextContent('unix:///var/run/docker.sock');
    await expect.element(dockerCard().getByRole('definition').nth(4)).toHaveTextContent('default (the default address)');

    await contextSelect().selectOptions('');
    await expect.poll(() => calls.chosen).toEqual(['default', null]);
  });

  test('an engine that does not answer lists the places tried, and a context engine gets its own fix', async () => {
    backend(
      unavailableDocker({
        kind: 'dockerNotRunning',
        params: {
          host: 'unix:///var/run/docker.sock',
          hostSource: 'default',
          context: 'default',
          tried: 'unix:///var/run/docker.sock (default)\nunix:///Users/ada/.colima/default/docker.sock (colima)',
        },
        details: null,
      }),
      awsEmpty,
      three,
    );
    await render(Environment, { refreshMs: 60_000 });
    const card = dockerCard();
    const places = card.getByRole('list', { name: 'Places tried' }).getByRole('listitem');
    await expect.element(places.nth(0)).toHaveTextContent('unix:///var/run/docker.sock (default)');
    await expect.element(places.nth(1)).toHaveTextContent('unix:///Users/ada/.colima/default/docker.sock (colima)');
    for (const fix of ['colima start', 'podman machine start', 'sudo systemctl start docker']) {
      await expect.element(card.getByText(fix, { exact: true })).toBeVisible();
    }
    // The chooser stays, so another context can be picked.
    await expect.element(contextSelect()).toBeEnabled();
  });

  test('a silent context engine is explained with the context named', async () => {
    backend(
      unavailableDocker({
        kind: 'dockerNotRunning',
        params: { host: 'unix:///Users/ada/.colima/default/docker.sock', hostSource: 'config', context: 'colima' },
        details: null,
      }),
      awsEmpty,
      three,
    );
    await render(Environment, { refreshMs: 60_000 });
    await expect
      .element(dockerCard().getByText(/the engine of the docker context “colima”/))
      .toBeVisible();
    await expect.element(dockerCard().getByText('colima start', { exact: true })).toBeVisible();
  });
});

describe('AWS card', () => {
  test('lists profiles with region and kind, the regions found, and the default region with its source', async () => {
    backend(runningDocker, awsWithProfiles);
    await render(Environment, { refreshMs: 60_000 });

    const profiles = awsCard().getByRole('list', { name: 'Profiles' }).getByRole('listitem');
    await expect.element(profiles.nth(0)).toHaveTextContent(/default\s*eu-west-1\s*Static keys/);
    await expect.element(profiles.nth(1)).toHaveTextContent(/work-sso\s*No region\s*SSO/);
    expect(profiles.all()).toHaveLength(2);
    await expect.element(awsCard().getByText('Ready')).toBeVisible();
    await expect.element(awsCard().getByText(/from the default profile/)).toBeVisible();
    await expect.element(awsCard().getByText('/home/ada/.aws/config')).toBeVisible();
  });

  test('says where a default region from the environment came from', async () => {
    backend(runningDocker, {
      ...awsWithProfiles,
      defaultRegion: 'ap-northeast-2',
      defaultRegionSource: 'environment',
    });
    await render(Environment, { refreshMs: 60_000 });

    await expect.element(awsCard().getByText('ap-northeast-2')).toBeVisible();
    await expect.element(awsCard().getByText(/from an environment variable/)).toBeVisible();
  });

  test('no profiles is explained as fine, pointing at the keychain', async () => {
    backend(runningDocker, awsEmpty);
    await render(Environment, { refreshMs: 60_000 });

    await expect.element(awsCard().getByText(/No AWS profiles found\. That's fine/)).toBeVisible();
    await expect.element(awsCard().getByText(/keychain/)).toBeVisible();
    await expect.element(awsCard().getByText('Not set up yet')).toBeVisible();
    expect(awsCard().getByText('Needs attention').query()).toBeNull();
  });

  test('in practice it says what Account and Settings say: practice, in the practice region, not this configuration', async () => {
    backend(runningDocker, awsEmpty);
    setOverview(
      accountOverview({
        settings: { region: 'us-east-1', practice: { enabled: true, managed: true, endpointUrl: '', registry: '' } },
      }),
    );
    onTestFinished(resetAccount);
    await render(Environment, { refreshMs: 60_000 });

    await expect
      .element(awsCard().getByText('US East (N. Virginia) — us-east-1, in practice (not real AWS)'))
      .toBeVisible();
    await expect.element(awsCard().getByText(/doesn't use the AWS configuration below/)).toBeVisible();
    await expect.element(awsCard().getByText('Practice', { exact: true })).toBeVisible();
    expect(awsCard().getByText('Not set up yet').query()).toBeNull();
    expect(awsCard().getByText(/You will choose a region in the Account step/).query()).toBeNull();
  });

  test('outside practice it names the region chosen in the Account step', async () => {
    backend(runningDocker, awsWithProfiles);
    setOverview(accountOverview({ settings: { region: 'ap-northeast-2', source: { kind: 'profile', name: 'default' } } }));
    onTestFinished(resetAccount);
    await render(Environment, { refreshMs: 60_000 });

    await expect
      .element(awsCard().getByText('Asia Pacific (Seoul) — ap-northeast-2, chosen in the Account step'))
      .toBeVisible();
    await expect.element(awsCard().getByText('Ready')).toBeVisible();
  });

  test('a problem reading the files is shown as an error with its path', async () => {
    backend(runningDocker, {
      ...awsEmpty,
      problem: { kind: 'awsConfigUnreadable', params: { path: '/home/ada/.aws/config' }, details: 'line 3: expected [section]' },
    });
    await render(Environment, { refreshMs: 60_000 });

    await expect.element(awsCard().getByText("Can't read your AWS configuration")).toBeVisible();
    await expect.element(awsCard().getByText(/Berth couldn't read \/home\/ada\/\.aws\/config/)).toBeVisible();
    await expect.element(awsCard().getByText('Needs attention')).toBeVisible();
  });
});

describe('checking', () => {
  test('each card renders as soon as its own answer arrives; "checking" only before the first answer', async () => {
    const slowDocker = deferred<DockerStatus>();
    backend(slowDocker.promise, awsWithProfiles);
    await render(Environment, { refreshMs: 60_000 });

    await expect.element(awsCard().getByText('work-sso')).toBeVisible();
    await expect.element(dockerCard().getByText('Looking for the Docker engine…')).toBeVisible();
    await expect.element(dockerCard().getByText('Checking')).toBeVisible();

    slowDocker.resolve(runningDocker);
    await expect.element(dockerCard().getByText('Docker engine is running')).toBeVisible();
    expect(dockerCard().getByText('Looking for the Docker engine…').query()).toBeNull();
  });

  test('re-checks on its own, keeps the last result while re-checking, and never stacks calls', async () => {
    const second = deferred<DockerStatus>();
    let n = 0;
    const calls = backend(() => {
      n++;
      if (n === 1) return unavailableDocker({ kind: 'dockerNotInstalled', params: {}, details: null });
      return second.promise;
    }, awsEmpty);
    await render(Environment, { refreshMs: 40 });

    await expect.element(dockerCard().getByText('Docker is not installed')).toBeVisible();
    await expect.poll(() => calls.docker).toBe(2);

    // While the second probe hangs, the old answer stays and no further probe is started.
    await sleep(250);
    expect(calls.docker).toBe(2);
    expect(calls.aws).toBeGreaterThan(2);
    await expect.element(dockerCard().getByText('Docker is not installed')).toBeVisible();
    expect(page.getByText('Looking for the Docker engine…').query()).toBeNull();

    second.resolve(runningDocker);
    await expect.element(dockerCard().getByText('Docker engine is running')).toBeVisible();
  });

  test('"Check again" probes both at once', async () => {
    const calls = backend(runningDocker, awsEmpty);
    await render(Environment, { refreshMs: 60_000 });
    await expect.element(dockerCard().getByText('Docker engine is running')).toBeVisible();
    await expect.poll(() => calls.aws).toBe(1);
    expect(calls.docker).toBe(1);

    await page.getByRole('button', { name: 'Check again' }).click();

    await expect.poll(() => calls.docker).toBe(2);
    await expect.poll(() => calls.aws).toBe(2);
  });

  describe('while the window is hidden', () => {
    let visibility: DocumentVisibilityState = 'visible';
    beforeEach(() => {
      visibility = 'visible';
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
    });
    afterEach(() => {
      // Drop the own property so the real getter on Document.prototype is used again.
      delete (document as { visibilityState?: DocumentVisibilityState }).visibilityState;
    });

    function setVisibility(next: DocumentVisibilityState) {
      visibility = next;
      document.dispatchEvent(new Event('visibilitychange'));
    }

    test('pauses the automatic checks and resumes with an immediate check when visible again', async () => {
      const calls = backend(runningDocker, awsEmpty);
      await render(Environment, { refreshMs: 40 });
      await expect.poll(() => calls.docker).toBeGreaterThanOrEqual(2);

      setVisibility('hidden');
      await sleep(20);
      const whileHidden = calls.docker;
      await sleep(250);
      expect(calls.docker).toBe(whileHidden);

      setVisibility('visible');
      expect(calls.docker).toBe(whileHidden + 1);
      await expect.poll(() => calls.docker).toBeGreaterThan(whileHidden + 2);
    });
  });
});
