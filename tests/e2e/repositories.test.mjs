// Wizard step 3 and the Repositories view in the real app, against the stack's moto: create a
// repository in the wizard (fixing the name with the suggested spelling), find it in the
// Repositories view with its images, size and cost, delete an image, then delete the repository
// by click with its name typed — and see it gone, in the app and in moto itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byName, chooseLanguage, click, openApp, pageText, requireEnv, saveScreenshot, waitForText } from './support/app.mjs';
import { practiceHome } from './support/practice.mjs';
import { pushSizedImage } from './support/registry.mjs';

// Decimal megabytes, as the app writes sizes (and docker does).
const MB = 1000 * 1000;

async function withApp(options, body) {
  const browser = await openApp(options);
  try {
    await body(browser);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

/**
 * Calls moto's ECR API directly (not through Berth), as the practice profile's account. moto
 * does not check signatures; the credential scope tells it the service, region and key.
 */
async function ecr(action, body) {
  const response = await fetch(requireEnv('BERTH_TEST_MOTO_URL'), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AmazonEC2ContainerRegistry_V20150921.${action}`,
      Authorization:
        'AWS4-HMAC-SHA256 Credential=TESTPRACTICEKEY00001/20260101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {} };
}

async function typeInto(browser, name, text) {
  const field = await byName(browser, name);
  await field.clearValue();
  await field.setValue(text);
}

const env = () => ({ DOCKER_HOST: requireEnv('DOCKER_HOST') });

test('create a repository in the wizard, find it in the Repositories view, delete it by click with its typed name', async () => {
  const stamp = `${process.pid}-${Date.now()}`;
  const name = `web-app-${stamp}`;
  await withApp({ home: practiceHome(), env: env() }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');
    await click(browser, 'Repository');
    await waitForText(browser, 'Where should your image go?');

    // A name ECR would refuse is explained as it is typed, with the obvious fix one click away.
    await typeInto(browser, 'Repository name', `Web App ${stamp}`);
    await waitForText(browser, "Use lower-case letters only: ECR doesn't allow capitals.");
    await click(browser, `Use ${name} as the name`);
    assert.equal(await (await byName(browser, 'Repository name')).getValue(), name);
    await waitForText(browser, `aws ecr create-repository --repository-name ${name}`);
    await waitForText(browser, 'aws ecr put-lifecycle-policy');
    await saveScreenshot(browser, 'repository-create');

    await click(browser, 'Create repository');
    await waitForText(browser, `Created “${name}”. Berth will push your image here.`);
    await waitForText(browser, 'Keeps the newest 10 images; deletes untagged images after 7 days.');
    await saveScreenshot(browser, 'repository-created');

    // Berth tagged it and set its cleanup rule: ask moto itself.
    const described = await ecr('DescribeRepositories', { repositoryNames: [name] });
    assert.equal(described.status, 200);
    const repo = described.json.repositories[0];
    assert.equal(repo.imageScanningConfiguration.scanOnPush, true);
    const tags = await ecr('ListTagsForResource', { resourceArn: repo.repositoryArn });
    assert.deepEqual(
      tags.json.tags.filter((t) => t.Key.startsWith('berth:')).sort((a, b) => a.Key.localeCompare(b.Key)),
      [
        { Key: 'berth:app', Value: name },
        { Key: 'berth:managed', Value: 'true' },
      ],
    );
    const policy = await ecr('GetLifecyclePolicy', { repositoryName: name });
    assert.equal(JSON.parse(policy.json.lifecyclePolicyText).rules.length, 2);

    // Two images are pushed (60.8 MB and 46.2 MB of layers; ECR's $0.10 per GB-month makes $0.01).
    await pushSizedImage(name, 'v1', 60.8 * MB);
    await pushSizedImage(name, 'v2', 46.2 * MB);

    await click(browser, 'Repositories');
    await waitForText(browser, 'Estimated cost');
    await typeInto(browser, 'Filter by name', name);
    await waitForText(browser, '1 of ');
    await waitForText(browser, '107 MB');
    await waitForText(browser, '$0.01');
    await saveScreenshot(browser, 'repositories-list');

    // Open it: both images, then delete one of them.
    await click(browser, `Open ${name}`);
    await waitForText(browser, '2 in all, 107 MB');
    await saveScreenshot(browser, 'repositories-detail');
    await click(browser, 'Select v1');
    await click(browser, 'Delete selected (1)…');
    await waitForText(browser, `Delete 1 image from “${name}”?`);
    await saveScreenshot(browser, 'repositories-delete-image');
    await click(browser, 'Delete 1 image');
    await waitForText(browser, 'Images deleted: 1.');
    await waitForText(browser, '1 in all, 46.2 MB');

    // Delete the repository: the dialog says what is lost and waits for the typed name.
    await click(browser, 'Delete repository…');
    await waitForText(browser, `Delete the repository “${name}”?`);
    await waitForText(browser, '1 image (46.2 MB) will be deleted with it.');
    await waitForText(browser, "This can't be undone.");
    await waitForText(browser, `aws ecr delete-repository --repository-name ${name} --force`);
    const confirm = await byName(browser, 'Delete repository');
    assert.equal(await confirm.isEnabled(), false, 'Delete is enabled before the name is typed');
    await typeInto(browser, `Type ${name} to confirm`, name.slice(0, -1));
    assert.equal(await confirm.isEnabled(), false, 'Delete is enabled with a wrong name');
    await typeInto(browser, `Type ${name} to confirm`, name);
    await browser.waitUntil(() => confirm.isEnabled(), { timeout: 5000 });
    await saveScreenshot(browser, 'repositories-delete-dialog');
    await confirm.click();

    await waitForText(browser, `Deleted “${name}” and the images in it (1, 46.2 MB).`);
    // The list empties: "no match" for the filter, or "no repositories" when it was the only one.
    await browser.waitUntil(
      async () => /No repository matches the filter\.|No repositories in /.test(await pageText(browser)),
      { timeout: 15000, timeoutMsg: 'the list did not empty after the delete' },
    );
    const shown = await pageText(browser);
    assert.ok(!shown.includes(`Open ${name}`), 'the row is still listed');
    await saveScreenshot(browser, 'repositories-deleted');

    // Gone in moto too, and the activity log has the command.
    const after = await ecr('DescribeRepositories', { repositoryNames: [name] });
    assert.notEqual(after.status, 200, 'the repository still exists in moto');
    assert.match(JSON.stringify(after.json), /RepositoryNotFoundException/);
    await click(browser, 'Activity');
    await waitForText(browser, `aws ecr delete-repository --repository-name ${name} --force --region us-east-1 --profile practice`);
  });
});

test('the Repositories view and the delete confirmation are in Korean in Korean mode', async () => {
  const name = `ko-repo-${process.pid}-${Date.now()}`;
  assert.equal((await ecr('CreateRepository', { repositoryName: name })).status, 200);
  await pushSizedImage(name, 'latest', 4.2 * MB);
  await withApp({ home: practiceHome(), env: env() }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'ko');
    await click(browser, '리포지토리');
    await waitForText(browser, '이미지를 어디에 보관할까요?');
    await click(browser, '기존 리포지토리 사용');
    await typeInto(browser, '리포지토리 찾기', name);
    await waitForText(browser, '일치: 1개');
    await saveScreenshot(browser, 'repository-pick-ko');
    await click(browser, '리포지토리 목록');
    await waitForText(browser, '예상 비용');
    await typeInto(browser, '이름으로 찾기', name);
    await waitForText(browser, '4.2 MB');
    await click(browser, `${name} 삭제`);
    await waitForText(browser, `“${name}” 리포지토리를 삭제할까요?`);
    await waitForText(browser, '이미지 1개(4.2 MB)가 함께 삭제됩니다.');
    await waitForText(browser, '되돌릴 수 없습니다.');
    await saveScreenshot(browser, 'repositories-ko');

    // Escape cancels: nothing is deleted.
    await browser.keys('Escape');
    await browser.waitUntil(async () => !(await pageText(browser)).includes('리포지토리를 삭제할까요?'), { timeout: 5000 });
  });
  assert.equal((await ecr('DescribeRepositories', { repositoryNames: [name] })).status, 200, 'Escape deleted it');
  await ecr('DeleteRepository', { repositoryName: name, force: true });
});

test('more than a thousand repositories: all listed, only the rows in view rendered, sizes filled in lazily', async () => {
  const prefix = `bulk-${process.pid}-${Date.now()}`;
  const names = Array.from({ length: 1001 }, (_, i) => `${prefix}/svc-${String(i).padStart(4, '0')}`);
  const createAll = async (list) => {
    for (let i = 0; i < list.length; i += 25) {
      const results = await Promise.all(list.slice(i, i + 25).map((n) => ecr('CreateRepository', { repositoryName: n })));
      for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.json));
    }
  };
  await createAll(names);
  await pushSizedImage(names[0], 'v1', 6.4 * MB);
  try {
    await withApp({ home: practiceHome(), env: env() }, async (browser) => {
      await chooseLanguage(browser, 'Language', 'en');
      await click(browser, 'Repositories');
      await typeInto(browser, 'Filter by name', prefix);
      await waitForText(browser, '1,001 of ');
      const table = await browser.$('table');
      assert.equal(await table.getAttribute('aria-rowcount'), '1002');
      const rendered = await browser.execute(() => document.querySelectorAll('tbody th[scope="row"]').length);
      assert.ok(rendered > 3 && rendered < 60, `${rendered} rows rendered`);
      await waitForText(browser, '6.4 MB');
      await saveScreenshot(browser, 'repositories-many');

      // The last one is reachable by scrolling, and gets measured once it is in view.
      await browser.execute(() => {
        const scroller = document.querySelector('table').closest('[role="region"]');
        scroller.scrollTop = scroller.scrollHeight;
      });
      await waitForText(browser, `${prefix}/svc-1000`);
      await browser.waitUntil(
        () =>
          browser.execute((last) => {
            const cell = [...document.querySelectorAll('tbody th[scope="row"]')].find((th) => th.textContent.includes(last));
            return cell?.parentElement.textContent.includes('0 B') ?? false;
          }, `${prefix}/svc-1000`),
        { timeout: 20000, timeoutMsg: 'the last row was not measured' },
      );
    });
  } finally {
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((n) => ecr('DeleteRepository', { repositoryName: n, force: true })));
    }
  }
});
