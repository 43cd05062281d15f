import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { BerthError, LayerProgress } from '../ipc/types';
import { setLanguage } from '../lib/i18n/index.svelte';
import type { PageId } from '../lib/pages';
import { invalidInput, resetLanguage, unavailableDocker } from '../test/fixtures';
import {
  builtImage,
  folderInfo,
  imageStep,
  localImages,
  mockImageBackend,
  pending,
  pushedImage,
} from '../test/imageFixtures';
import Image from './Image.svelte';

const folderInput = () => page.getByLabelText('Folder', { exact: true });
const tagInput = () => page.getByLabelText('Tag', { exact: true });
const buildButton = () => page.getByRole('button', { name: 'Build image' });
const pushButton = () => page.getByRole('button', { name: 'Push to web' });

async function renderImage() {
  const navigated: PageId[] = [];
  const screen = await render(Image, { onnavigate: (p: PageId) => navigated.push(p) });
  return { screen, navigated };
}

/** Types the folder and waits until Berth has read it. */
async function chooseFolder(path = '/home/ada/web') {
  await folderInput().fill(path);
  await userEvent.keyboard('{Enter}');
  await expect.element(page.getByText('Kept out by .dockerignore')).toBeVisible();
}

function layer(id: string, state: LayerProgress['state'], done: number, total: number | null): LayerProgress {
  return { id, state, done, total };
}

beforeEach(() => resetLanguage());
afterEach(() => {
  clearMocks();
  resetLanguage();
});

describe('before anything can be built', () => {
  test('without a repository the step sends the user to step 3', async () => {
    mockImageBackend(imageStep({ repository: null }));
    const { navigated } = await renderImage();
    await expect.element(page.getByRole('heading', { name: 'Choose a repository first' })).toBeVisible();
    await page.getByRole('button', { name: 'Go to step 3, Repository' }).click();
    expect(navigated).toEqual(['repository']);
    expect(folderInput().query()).toBeNull();
  });

  test('a stopped Docker engine is explained with its fix', async () => {
    const error: BerthError = {
      kind: 'dockerNotRunning',
      params: { host: 'unix:///var/run/docker.sock', hostSource: 'default' },
      details: 'connection refused',
    };
    mockImageBackend(imageStep({ docker: unavailableDocker(error) }));
    await renderImage();
    await expect.element(page.getByText('Docker is not running')).toBeVisible();
    await expect.element(page.getByText(/sudo systemctl start docker/)).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Check again' })).toBeVisible();
  });
});

describe('building from a folder', () => {
  test('the folder is read, its context summarised, and the git commit suggested as tag', async () => {
    const backend = mockImageBackend();
    await renderImage();
    await chooseFolder();
    expect(backend.argsOf('inspect_build_folder')).toEqual([{ folder: '/home/ada/web', dockerfile: null }]);
    await expect.element(page.getByText('1,234 files, 20.5 MB')).toBeVisible();
    await expect.element(page.getByText('40,000 files, 1.2 GB')).toBeVisible();
    await expect.element(tagInput()).toHaveValue('a1b2c3d');
    await expect.element(tagInput()).toHaveAccessibleDescription(/git commit/);
    await expect.element(page.getByText('Will be pushed as web:a1b2c3d')).toBeVisible();
    await expect
      .element(page.getByText('docker build -t web:a1b2c3d --platform linux/amd64 /home/ada/web'))
      .toBeVisible();
  });

  test('a folder that is not there is named next to the field', async () => {
    const backend = mockImageBackend();
    backend.answers.inspect_build_folder = () =>
      Promise.reject(invalidInput('contextDir', 'notFound', { path: '/nope' }));
    await renderImage();
    await folderInput().fill('/nope');
    await userEvent.keyboard('{Enter}');
    await expect.element(folderInput()).toHaveAttribute('aria-invalid', 'true');
    await expect.element(folderInput()).toHaveAccessibleDescription(/There is no folder at \/nope/);
    await expect.element(buildButton()).toBeDisabled();
  });

  test('the build sends exactly the form and shows context bytes, steps and output live', { timeout: 40000 }, async () => {
    const backend = mockImageBackend();
    const build = pending<typeof builtImage>();
    backend.answers.build_image = () => build.promise;
    await renderImage();
    await chooseFolder();
    await page.getByText('Advanced: Dockerfile, build arguments, target stage').click();
    await page.getByRole('button', { name: 'Add a build argument' }).click();
    await page.getByLabelText('Name of build argument 1').fill('NODE_ENV');
    await page.getByLabelText('Value of build argument 1').fill('production');
    await page.getByRole('combobox', { name: 'Target stage' }).selectOptions('app');
    await page.getByRole('radio', { name: 'linux/arm64 — Graviton (Fargate ARM64)' }).click();
    await buildButton().click();

    const [args] = backend.argsOf('build_image');
    expect(args.request).toEqual({
      folder: '/home/ada/web',
      dockerfile: null,
      buildArgs: [{ name: 'NODE_ENV', value: 'production' }],
      target: 'app',
      platform: 'linux/arm64',
      tag: 'a1b2c3d',
    });
    // The host is amd64: building arm64 is emulated, and the user is told what that means.
    await expect.element(page.getByText(/This computer is linux\/amd64/)).toBeVisible();

    backend.send(
      'build_image',
      { event: 'started', operation: 'build' },
      { event: 'bytes', item: 'context', done: 10_000_000, total: 20_600_000 },
      { event: 'buildStep', number: 1, count: 3, instruction: 'FROM node:20 AS deps' },
      { event: 'log', line: 'Step 1/3 : FROM node:20 AS deps' },
      { event: 'buildStep', number: 2, count: 3, instruction: 'RUN npm ci' },
      { event: 'log', line: 'added 312 packages in 9s' },
    );
    await expect.element(page.getByText('10 MB of 20.6 MB')).toBeVisible();
    await expect.element(page.getByRole('progressbar', { name: 'Sending the build context' })).toHaveAttribute(
      'aria-valuenow',
      '49',
    );
    await expect.element(page.getByRole('listitem').filter({ hasText: 'RUN npm ci' })).toHaveAttribute(
      'aria-current',
      'step',
    );
    await expect.element(page.getByRole('log', { name: 'Build output' })).toHaveTextContent('added 312 packages');
    await expect.element(page.getByRole('button', { name: 'Cancel build' })).toBeVisible();

    build.resolve({ ...builtImage, platform: 'linux/arm64' });
    // Said once to screen readers, and shown.
    await expect.element(page.getByRole('status').filter({ hasText: 'Built web:a1b2c3d' })).toBeInTheDocument();
    await expect.element(page.getByText('linux/arm64 · Image size 182 MB · Build context sent 20.6 MB')).toBeVisible();
    await expect.element(pushButton()).toBeEnabled();
  });

  test('BuildKit steps show with their stage, cached ones marked, and the folder bytes sent', async () => {
    const backend = mockImageBackend();
    const build = pending<typeof builtImage>();
    backend.answers.build_image = () => build.promise;
    await renderImage();
    await chooseFolder();
    await buildButton().click();
    const vertex = (number: number, state: 'running' | 'cached' | 'done', step: number | null, instruction: string) => ({
      event: 'buildVertex' as const,
      vertex: {
        number,
        name: step === null ? `[internal] ${instruction}` : `[build ${step}/3] ${instruction}`,
        instruction,
        stage: step === null ? null : 'build',
        step,
        steps: step === null ? null : 3,
        internal: step === null,
        state,
        millis: null,
      },
    });
    backend.send(
      'build_image',
      { event: 'started', operation: 'build' },
      vertex(1, 'done', null, 'load build definition from Dockerfile'),
      vertex(2, 'cached', 1, 'FROM docker.io/library/node:20'),
      vertex(3, 'running', 2, 'RUN npm ci'),
      { event: 'bytes', item: 'context', done: 2_500, total: null },
      { event: 'log', line: '#3 added 3 packages' },
    );
    const steps = page.getByRole('list').filter({ hasText: 'RUN npm ci' }).getByRole('listitem');
    await expect.element(steps.nth(0)).toHaveTextContent(/build · step 1 of 3\s*FROM docker.io\/library\/node:20\s*cached/);
    await expect.element(steps.nth(1)).toHaveAttribute('aria-current', 'step');
    expect(steps.all()).toHaveLength(2);
    await expect.element(page.getByText('2.5 kB sent')).toBeVisible();
    await expect.element(page.getByRole('log', { name: 'Build output' })).toHaveTextContent('#3 added 3 packages');
    backend.send('build_image', vertex(3, 'done', 2, 'RUN npm ci'));
    await expect.element(steps.nth(1)).not.toHaveAttribute('aria-current');
    build.resolve(builtImage);
    await expect.element(pushButton()).toBeEnabled();
  });

  test('a syntax image that cannot be downloaded offers the engine\'s built-in Dockerfile support', async () => {
    const backend = mockImageBackend();
    let calls = 0;
    backend.answers.build_image = () => {
      calls++;
      if (calls === 1) {
        return Promise.reject({
          kind: 'buildFrontendUnavailable',
          params: { image: 'docker/dockerfile:1' },
          details: 'failed to resolve docker.io/docker/dockerfile:1',
        } satisfies BerthError);
      }
      return builtImage;
    };
    await renderImage();
    await chooseFolder();
    await buildButton().click();
    await expect.element(page.getByText("The Dockerfile's syntax image can't be downloaded")).toBeVisible();
    await page.getByRole('button', { name: "Build with the engine's built-in Dockerfile support" }).click();
    await expect.element(pushButton()).toBeEnabled();
    const [first, second] = backend.argsOf('build_image');
    expect(first.request).not.toHaveProperty('builtinFrontend');
    expect(second.request).toMatchObject({ folder: '/home/ada/web', builtinFrontend: true });
  });

  test('a failing step is named with its instruction and the fix', async () => {
    const backend = mockImageBackend();
    backend.answers.build_image = () =>
      Promise.reject({
        kind: 'buildFailed',
        params: {
          step: '2',
          steps: '3',
          instruction: 'RUN npm run build',
          message: "The command '/bin/sh -c npm run build' returned a non-zero code: 1",
        },
        details: 'npm ERR! missing script: build',
      } satisfies BerthError);
    await renderImage();
    await chooseFolder();
    await buildButton().click();
    await expect.element(page.getByText('Failed at step 2 of 3: RUN npm run build')).toBeVisible();
    await expect.element(page.getByText('The build failed')).toBeVisible();
    await expect.element(page.getByText(/returned a non-zero code: 1/)).toBeVisible();
    await expect.element(pushButton()).toBeDisabled();
  });

  test('cancel stops the build that is running, by its job id', async () => {
    const backend = mockImageBackend();
    const build = pending<typeof builtImage>();
    backend.answers.build_image = () => build.promise;
    await renderImage();
    await chooseFolder();
    await buildButton().click();
    await page.getByRole('button', { name: 'Cancel build' }).click();
    expect(backend.argsOf('cancel_job')).toEqual([{ id: backend.jobOf('build_image') }]);
    build.reject({ kind: 'cancelled', params: {}, details: null });
    await expect.element(page.getByText('The build was cancelled. Nothing was tagged.')).toBeVisible();
  });

  test('a tag Docker would refuse is explained before anything runs', async () => {
    mockImageBackend();
    await renderImage();
    await chooseFolder();
    await tagInput().fill('-v1');
    await expect.element(tagInput()).toHaveAttribute('aria-invalid', 'true');
    await expect.element(tagInput()).toHaveAccessibleDescription(/Start with a letter, a digit or _/);
    await expect.element(buildButton()).toBeDisabled();
  });
});

describe('sizes say which size they are', () => {
  test('the context sent, the image built and the compressed push are named, all in decimal units', async () => {
    const backend = mockImageBackend();
    backend.answers.build_image = () => builtImage;
    await renderImage();
    await chooseFolder();
    const summary = page.getByRole('definition').filter({ hasText: '1,234 files, 20.5 MB' });
    await expect.element(summary).toBeVisible();
    await expect.element(page.getByText('Build context sent to Docker', { exact: true })).toBeVisible();
    await buildButton().click();
    await expect.element(page.getByText('linux/amd64 · Image size 182 MB · Build context sent 20.6 MB', { exact: true })).toBeVisible();
  });
});

describe('the tag hint', () => {
  test('before a folder is chosen it promises a suggestion, and does not talk about git', async () => {
    mockImageBackend();
    await renderImage();
    await expect.element(tagInput()).toHaveAccessibleDescription(/Berth suggests one once you choose a folder/);
    expect(tagInput().element().getAttribute('aria-describedby')).toBeTruthy();
    await expect.element(tagInput()).not.toHaveAccessibleDescription(/not a git repository/);
    await chooseFolder();
    await expect.element(tagInput()).toHaveAccessibleDescription(/Your folder's git commit/);
  });
});

describe('examples are hints, not values', () => {
  test('the folder field is empty, with an example in its hint', async () => {
    mockImageBackend();
    await renderImage();
    await expect.element(folderInput()).toHaveValue('');
    expect(folderInput().element().hasAttribute('placeholder')).toBe(false);
    await expect.element(folderInput()).toHaveAccessibleDescription(/e\.g\. \/home\/you\/my-app/);
  });
});

describe('pushing', () => {
  async function built(backend: ReturnType<typeof mockImageBackend>) {
    backend.answers.build_image = () => builtImage;
    await renderImage();
    await chooseFolder();
    await buildButton().click();
    await expect.element(pushButton()).toBeEnabled();
  }

  test('each layer, the whole push, retries, and at the end the digest and URI', { timeout: 40000 }, async () => {
    const backend = mockImageBackend();
    const push = pending<typeof pushedImage>();
    backend.answers.push_image = () => push.promise;
    const { navigated } = await built(backend).then(() => ({ navigated: [] as PageId[] }));
    await pushButton().click();
    expect(backend.argsOf('push_image')[0].request).toEqual({ image: 'web:a1b2c3d', tag: 'a1b2c3d' });
    await expect.element(page.getByText('Getting a login token from ECR')).toBeVisible();

    backend.send(
      'push_image',
      { event: 'stepDone', step: 'login' },
      { event: 'stepDone', step: 'tag' },
      {
        event: 'layers',
        layers: [
          layer('aaaaaaaaaaaa', 'pushing', 50_000_000, 100_000_000),
          layer('bbbbbbbbbbbb', 'exists', 0, null),
          layer('cccccccccccc', 'waiting', 0, null),
        ],
      },
    );
    await expect.element(page.getByText('Uploading layers')).toBeVisible();
    await expect.element(page.getByText('1 of 3 layers done')).toBeVisible();
    await expect.element(page.getByText('50 MB uploaded')).toBeVisible();
    await expect
      .element(page.getByRole('progressbar', { name: 'Layer aaaaaaaaaaaa' }))
      .toHaveAttribute('aria-valuetext', 'Uploading · 50 MB of 100 MB');
    await expect
      .element(page.getByRole('progressbar', { name: 'Layer bbbbbbbbbbbb' }))
      .toHaveAttribute('aria-valuetext', 'Already in the registry');

    backend.send(
      'push_image',
      { event: 'layers', layers: [layer('cccccccccccc', 'pushing', 1_000_000, 20_000_000)] },
      { event: 'retrying', item: 'aaaaaaaaaaaa', message: 'Retrying in 5 seconds' },
      { event: 'layers', layers: [layer('aaaaaaaaaaaa', 'retrying', 50_000_000, 100_000_000)] },
    );
    await expect.element(page.getByText('51 MB of 120 MB')).toBeVisible();
    // The whole push counts compressed layers, and says so (the image size above is uncompressed).
    await expect.element(page.getByText('51 MB of 120 MB compressed', { exact: true })).toBeVisible();
    await expect.element(page.getByRole('alert')).toHaveTextContent('The engine is retrying: Retrying in 5 seconds.');

    push.resolve(pushedImage);
    await expect.element(page.getByRole('heading', { name: 'Pushed to web' })).toBeVisible();
    await expect.element(page.getByText(pushedImage.digest, { exact: true })).toBeVisible();
    await expect.element(page.getByText(pushedImage.uri, { exact: true })).toBeVisible();
    void navigated;
  });

  test('a refused login says what happened and what to do', async () => {
    const backend = mockImageBackend();
    backend.answers.push_image = () =>
      Promise.reject({
        kind: 'registryUnauthorized',
        params: { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com' },
        details: 'unauthorized: authentication required',
      } satisfies BerthError);
    await built(backend);
    await pushButton().click();
    await expect.element(page.getByText('The registry refused the login')).toBeVisible();
    await expect.element(page.getByText(/ecr:GetAuthorizationToken/)).toBeVisible();
  });

  test('the last push is shown again on return, with the way on to Launch', async () => {
    mockImageBackend(imageStep({ lastImage: pushedImage, practice: true, practiceRegistry: '127.0.0.1:5001' }));
    const { navigated } = await renderImage();
    await expect.element(page.getByText('Pushes to web in the practice registry')).toBeVisible();
    await expect.element(page.getByText(pushedImage.digest, { exact: true })).toBeVisible();
    await expect
      .element(page.getByText("Practice: pushed to the local registry 127.0.0.1:5001 and registered in the emulator's ECR."))
      .toBeVisible();
    await page.getByRole('button', { name: 'Next: Launch' }).click();
    expect(navigated).toEqual(['launch']);
    await page.getByText('The same, as commands').click();
    await expect
      .element(page.getByText('aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 127.0.0.1:5001'))
      .toBeVisible();
  });
});

describe('leaving the page never stops the work', () => {
  async function built(backend: ReturnType<typeof mockImageBackend>) {
    backend.answers.build_image = () => builtImage;
    const { screen } = await renderImage();
    await chooseFolder();
    await buildButton().click();
    await expect.element(pushButton()).toBeEnabled();
    return screen;
  }

  test('a push goes on while the page is away; coming back shows it going, then its result', { timeout: 40000 }, async () => {
    const backend = mockImageBackend();
    const push = pending<typeof pushedImage>();
    backend.answers.push_image = () => push.promise;
    const screen = await built(backend);
    await pushButton().click();
    backend.send(
      'push_image',
      { event: 'stepDone', step: 'login' },
      { event: 'stepDone', step: 'tag' },
      { event: 'layers', layers: [layer('aaaaaaaaaaaa', 'pushing', 50_000_000, 100_000_000)] },
    );
    await expect
      .element(page.getByRole('progressbar', { name: 'Layer aaaaaaaaaaaa' }))
      .toHaveAttribute('aria-valuetext', 'Uploading · 50 MB of 100 MB');

    // The user goes to another page: the page stops listening, and that is all.
    screen.unmount();
    const job = backend.jobOf('push_image');
    await expect.poll(() => backend.jobs.watchers(job)).toEqual([]);
    expect(backend.argsOf('cancel_job')).toEqual([]);

    // Meanwhile the push goes on.
    backend.send('push_image', {
      event: 'layers',
      layers: [layer('aaaaaaaaaaaa', 'pushing', 80_000_000, 100_000_000), layer('bbbbbbbbbbbb', 'exists', 0, null)],
    });

    // Back on the page: the same push, where it is now, with its Cancel; not a second one.
    await renderImage();
    await expect.element(page.getByText('Uploading layers')).toBeVisible();
    await expect
      .element(page.getByRole('progressbar', { name: 'Layer aaaaaaaaaaaa' }))
      .toHaveAttribute('aria-valuetext', 'Uploading · 80 MB of 100 MB');
    await expect.element(page.getByText('1 of 2 layers done')).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Cancel push' })).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Pushing…' })).toBeDisabled();
    expect(backend.jobs.watchers(job)).toEqual(['image-push']);

    push.resolve(pushedImage);
    await expect.element(page.getByRole('heading', { name: 'Pushed to web' })).toBeVisible();
    await expect.element(page.getByText(pushedImage.digest, { exact: true })).toBeVisible();
    expect(backend.argsOf('push_image')).toHaveLength(1);
    expect(backend.argsOf('cancel_job')).toEqual([]);
  });

  test('a build that ends while the page is away is shown with its log and result on return', async () => {
    const backend = mockImageBackend();
    const build = pending<typeof builtImage>();
    backend.answers.build_image = () => build.promise;
    const { screen } = await renderImage();
    await chooseFolder();
    await buildButton().click();
    backend.send('build_image', { event: 'buildStep', number: 1, count: 2, instruction: 'FROM node:20' });
    await expect.element(page.getByRole('listitem').filter({ hasText: 'FROM node:20' })).toBeVisible();

    screen.unmount();
    await expect.poll(() => backend.jobs.watchers(backend.jobOf('build_image'))).toEqual([]);
    backend.send(
      'build_image',
      { event: 'buildStep', number: 2, count: 2, instruction: 'RUN npm ci' },
      { event: 'log', line: 'added 312 packages in 9s' },
    );
    build.resolve(builtImage);
    await expect.poll(() => backend.jobs.latest('build')?.running).toBe(false);

    await renderImage();
    await expect.element(page.getByText('linux/amd64 · Image size 182 MB · Build context sent 20.6 MB')).toBeVisible();
    await expect.element(page.getByRole('log', { name: 'Build output' })).toHaveTextContent('added 312 packages');
    // The image it built is the one to push.
    await tagInput().fill('a1b2c3d');
    await expect.element(pushButton()).toBeEnabled();
    expect(backend.argsOf('build_image')).toHaveLength(1);
    expect(backend.argsOf('cancel_job')).toEqual([]);
  });

  test('a reloaded window picks up the push that runs, and a Cancel there cancels that job', async () => {
    const backend = mockImageBackend();
    // Started before this window loaded (the page reloaded): the backend still runs it.
    const job = backend.jobs.start('push', 'image');
    backend.jobs.progress(
      job,
      { event: 'stepDone', step: 'login' },
      { event: 'stepDone', step: 'tag' },
      { event: 'layers', layers: [layer('aaaaaaaaaaaa', 'pushing', 10_000_000, 100_000_000)] },
    );
    await renderImage();
    await expect
      .element(page.getByRole('progressbar', { name: 'Layer aaaaaaaaaaaa' }))
      .toHaveAttribute('aria-valuetext', 'Uploading · 10 MB of 100 MB');
    await page.getByRole('button', { name: 'Cancel push' }).click();
    expect(backend.argsOf('cancel_job')).toEqual([{ id: job }]);
    backend.jobs.finish(job, { outcome: 'cancelled' });
    await expect.element(page.getByRole('button', { name: 'Cancel push' })).not.toBeInTheDocument();
    expect(backend.argsOf('push_image')).toHaveLength(0);
  });

  test('a push that ended before this page ever showed it is not brought back', async () => {
    const backend = mockImageBackend();
    backend.jobs.ran('push', 'image', [], { outcome: 'failed', value: { kind: 'registryUnauthorized', params: { registry: 'r' }, details: null } });
    await renderImage();
    await expect.element(pushButton()).toBeVisible();
    expect(page.getByText('The registry refused the login').query()).toBeNull();
  });
});

describe('an image already on this computer', () => {
  test('lists local images and warns when one would not run on the chosen Fargate platform', async () => {
    const backend = mockImageBackend();
    await renderImage();
    await page.getByRole('radio', { name: 'Use an image already on this computer' }).click();
    const api = page.getByRole('radio', { name: 'shop/api:v2' });
    await expect.element(api).toHaveAccessibleDescription(/linux\/arm64 · 95 MB/);
    await api.click();
    // Choosing the image follows its platform; switching away warns about exec format error.
    await expect.element(page.getByRole('radio', { name: 'linux/arm64 — Graviton (Fargate ARM64)' })).toBeChecked();
    await expect.element(tagInput()).toHaveValue('v2');
    await page.getByRole('radio', { name: 'linux/amd64 — Intel or AMD (Fargate X86_64)' }).click();
    await expect.element(page.getByRole('alert')).toHaveTextContent(/exec format error/);
    await page.getByRole('button', { name: 'Push to web' }).click();
    expect(backend.argsOf('push_image')[0].request).toEqual({ image: 'shop/api:v2', tag: 'v2' });
  });

  test('the filter narrows the list and says when nothing matches', async () => {
    mockImageBackend();
    await renderImage();
    await page.getByRole('radio', { name: 'Use an image already on this computer' }).click();
    await page.getByLabelText('Filter images').fill('zzz');
    await expect.element(page.getByText('No image matches “zzz”.')).toBeVisible();
  });
});

describe('trying it locally', () => {
  async function builtScreen(backend: ReturnType<typeof mockImageBackend>) {
    backend.answers.build_image = () => builtImage;
    await renderImage();
    await chooseFolder();
    await buildButton().click();
    await expect.element(pushButton()).toBeEnabled();
    await page.getByText('Try it locally').click();
  }

  test('runs the built image on its exposed port, follows its output, opens it, and stops it', async () => {
    const backend = mockImageBackend();
    const run = {
      containerId: 'c0ffee',
      image: 'web:a1b2c3d',
      hostPort: 3000,
      containerPort: 3000,
      url: 'http://127.0.0.1:3000/',
      running: true,
      exitCode: null,
    };
    backend.answers.start_local_run = () => run;
    backend.answers.watch_local_run = () => new Promise(() => {});
    backend.answers.open_local_app = () => null;
    backend.answers.stop_local_run = () => null;
    await builtScreen(backend);
    await expect.element(page.getByLabelText('Port your app listens on')).toHaveValue(3000);
    await expect
      .element(page.getByText('docker run -d -p 127.0.0.1:3000:3000 --label berth.managed=true web:a1b2c3d'))
      .toBeVisible();
    await page.getByRole('button', { name: 'Run locally' }).click();
    expect(backend.argsOf('start_local_run')).toEqual([{ image: 'web:a1b2c3d', containerPort: 3000, hostPort: 3000 }]);

    await expect.element(page.getByText('Running at http://127.0.0.1:3000/')).toBeVisible();
    const [{ containerId }] = backend.argsOf('watch_local_run');
    expect(containerId).toBe('c0ffee');
    backend.send('watch_local_run', { event: 'log', line: 'listening on :3000' });
    await expect.element(page.getByRole('log', { name: 'Container output' })).toHaveTextContent('listening on :3000');

    await page.getByRole('button', { name: 'Open http://127.0.0.1:3000/ in your browser' }).click();
    expect(backend.argsOf('open_local_app')).toEqual([{ port: 3000 }]);
    await page.getByRole('button', { name: 'Stop and remove' }).click();
    await expect.element(page.getByRole('button', { name: 'Run locally' })).toBeVisible();
    expect(backend.argsOf('stop_local_run')).toEqual([{ containerId: 'c0ffee' }]);
    // Its output has nothing more to say: the job following it is ended too.
    expect(backend.argsOf('cancel_job')).toContainEqual({ id: backend.jobOf('watch_local_run') });
  });

  test('a port already in use is named next to its field', async () => {
    const backend = mockImageBackend();
    backend.answers.start_local_run = () => Promise.reject(invalidInput('hostPort', 'inUse', { port: '3000' }));
    await builtScreen(backend);
    await page.getByRole('button', { name: 'Run locally' }).click();
    const host = page.getByLabelText('Port on this computer');
    await expect.element(host).toHaveAttribute('aria-invalid', 'true');
    await expect.element(host).toHaveAccessibleDescription('Port 3000 is already in use on this computer. Choose another one.');
  });
});

test('the step reads in Korean', async () => {
  mockImageBackend();
  setLanguage('ko');
  await renderImage();
  await expect.element(page.getByText('무엇을 푸시할까요?')).toBeVisible();
  await folderInput().query();
  await page.getByLabelText('폴더', { exact: true }).fill('/home/ada/web');
  await userEvent.keyboard('{Enter}');
  await expect.element(page.getByText('파일 1,234개, 20.5 MB')).toBeVisible();
  void folderInfo;
});

describe('after a restart', () => {
  const draft = {
    fromEngine: false,
    folder: '/home/ada/web',
    dockerfile: 'docker/Dockerfile.prod',
    tag: 'release-1',
    platform: 'linux/amd64',
    localImage: 'web:release-1',
    localImageId: builtImage.id,
    contextBytes: builtImage.contextBytes,
  };

  test('the step opens as it was left: folder, Dockerfile, tag and the built image, ready to push and run', async () => {
    const built = { ...builtImage, reference: 'web:release-1' };
    const backend = mockImageBackend(
      imageStep({ lastImage: { ...pushedImage, tag: 'release-1' }, draft, draftBuilt: built }),
    );
    await renderImage();
    await expect.element(page.getByRole('textbox', { name: 'Folder', exact: true })).toHaveValue('/home/ada/web');
    // The folder is read again (it may have changed), with the Dockerfile given before.
    await expect.element(page.getByText('Kept out by .dockerignore')).toBeVisible();
    expect(backend.argsOf('inspect_build_folder')).toEqual([
      { folder: '/home/ada/web', dockerfile: 'docker/Dockerfile.prod' },
    ]);
    await expect.element(page.getByLabelText('Dockerfile path', { exact: true })).toHaveValue('docker/Dockerfile.prod');
    // The tag typed before stays, although the folder suggests its git commit.
    await expect.element(tagInput()).toHaveValue('release-1');
    await expect.element(page.getByText('Built web:release-1')).toBeVisible();
    await expect.element(buildButton()).toBeEnabled();
    await expect.element(pushButton()).toBeEnabled();
    await page.getByText('Try it locally').click();
    await expect.element(page.getByRole('button', { name: 'Run locally' })).toBeEnabled();
    expect(page.getByText('Build or choose an image first.').query()).toBeNull();
  });

  test('a built image the engine no longer has leaves the form filled and Build ready', async () => {
    mockImageBackend(imageStep({ draft, draftBuilt: null }));
    await renderImage();
    await expect.element(page.getByRole('textbox', { name: 'Folder', exact: true })).toHaveValue('/home/ada/web');
    await expect.element(tagInput()).toHaveValue('release-1');
    await expect.element(buildButton()).toBeEnabled();
    await expect.element(pushButton()).toBeDisabled();
    await page.getByText('Try it locally').click();
    await expect.element(page.getByText('Build or choose an image first.').first()).toBeVisible();
  });

  test('an image chosen from the engine is chosen again', async () => {
    const [chosen] = localImages;
    mockImageBackend(
      imageStep({
        draft: { ...draft, fromEngine: true, folder: null, dockerfile: null, tag: 'v2', localImage: chosen.reference },
        draftLocal: chosen,
      }),
    );
    await renderImage();
    await expect.element(page.getByRole('radio', { name: chosen.reference })).toBeChecked();
    await expect.element(tagInput()).toHaveValue('v2');
    await expect.element(pushButton()).toBeEnabled();
  });
});
