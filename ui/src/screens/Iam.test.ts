import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { resetAccount } from '../lib/account.svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import { accountOverview, deferred, invalidInput, resetLanguage } from '../test/fixtures';
import {
  ACCOUNT,
  accessDenied,
  deployUserPlan,
  missingRole,
  mockIamBackend,
  permissionReport,
  readyRole,
  ROLE_ARN,
  unknownReport,
  wrongTrustRole,
} from '../test/iamFixtures';
import Iam from './Iam.svelte';

const checklist = () => page.getByRole('region', { name: 'What Berth will need' });
const roleCard = () => page.getByRole('region', { name: 'Task execution role' });
const deployUserSummary = () => page.getByText('Optional: a least-privilege deploy user');
const nextButton = () => page.getByRole('button', { name: 'Next: Repository' });

/** The elements of a locator a user can see (closed disclosures hide theirs). */
function visible(locator: { elements(): Element[] }): Element[] {
  return locator.elements().filter((el) => el.checkVisibility());
}

async function renderIam() {
  const onnavigate = vi.fn();
  const screen = await render(Iam, { onnavigate });
  return { screen, onnavigate };
}

beforeEach(() => {
  resetLanguage();
  resetAccount();
});

afterEach(() => {
  clearMocks();
  resetLanguage();
  resetAccount();
});

describe('before the account is set up', () => {
  test("in Berth's own practice there is no identity to choose: the step goes on", async () => {
    // A fresh HOME after the practice button: no identity source was ever saved.
    const backend = mockIamBackend({ practice: true });
    backend.answers.get_account = () =>
      accountOverview({
        settings: {
          source: null,
          region: 'us-east-1',
          practice: { enabled: true, managed: true, endpointUrl: 'http://127.0.0.1:41234', registry: '127.0.0.1:41235' },
        },
      });
    await renderIam();

    await expect.element(roleCard()).toBeVisible();
    expect(page.getByRole('heading', { name: 'Set up your account first' }).query()).toBeNull();
    await expect.poll(() => backend.order()).toContain('get_execution_role');
  });
});

describe('permission checklist', () => {
  test('says unknown on every line when the simulator cannot answer, and why', async () => {
    mockIamBackend({ report: unknownReport(), practice: true });
    await renderIam();

    await expect.element(checklist().getByText('The practice emulator has no policy simulator', { exact: false })).toBeVisible();
    await expect.poll(() => visible(checklist().getByText('Unknown — will be checked when used'))).toHaveLength(11);
    expect(checklist().getByText('Allowed', { exact: true }).query()).toBeNull();
    await expect.element(checklist().getByText('arn:aws:iam::123456789012:user/alice')).toBeVisible();
    // The simulator's failure is one click away.
    await checklist().getByText('Details').click();
    await expect.element(checklist().getByText('HTTP 500')).toBeVisible();
  });

  test('a root sign-in is said for what it is, with the deploy user recommended', async () => {
    mockIamBackend({
      report: permissionReport({}, 'unknown', {
        principalArn: 'arn:aws:iam::123456789012:root',
        simulatedArn: null,
        unknownReason: 'rootUser',
      }),
    });
    await renderIam();

    await expect
      .element(checklist().getByText(/You signed in as the root user.*create the deploy user below/))
      .toBeVisible();
    expect(checklist().getByText(/federated user/).query()).toBeNull();
  });

  test('shows allowed, not allowed and denied by a policy, line by line and action by action', async () => {
    mockIamBackend({ report: permissionReport({ ecs: 'notGranted', network: 'blocked' }) });
    await renderIam();

    const line = (title: string) => checklist().getByRole('listitem').filter({ hasText: title }).first();
    await expect.element(line('Container images (Amazon ECR)').getByText('Allowed', { exact: true }).first()).toBeVisible();
    await expect.element(line('Run containers (Amazon ECS)').getByText('Not allowed', { exact: true }).first()).toBeVisible();
    await expect.element(line('Networking (Amazon EC2)').getByText('Denied by a policy', { exact: true }).first()).toBeVisible();

    const ecs = line('Run containers (Amazon ECS)');
    await expect.element(ecs.getByText('ecs:CreateCluster')).not.toBeVisible();
    await ecs.getByText('2 actions').click();
    await expect.element(ecs.getByText('ecs:CreateCluster')).toBeVisible();
    await expect.element(ecs.getByRole('listitem').filter({ hasText: 'ecs:CreateCluster' })).toHaveTextContent('Not allowed');
    await expect.element(ecs.getByRole('listitem').filter({ hasText: 'ecs:RunTask' })).toHaveTextContent('Allowed');

    await expect.element(checklist().getByText(/Lines marked “Not allowed” will fail/)).toBeVisible();
    await expect.element(checklist().getByText(/explicitly denies it/)).toBeVisible();
  });

  test('one action needed on two roles is listed twice in its line, each with its role and answer', async () => {
    const ecsRole = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;
    const scalingRole = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;
    const report = permissionReport();
    const ecsLine = report.groups.find((g) => g.group === 'ecs')!;
    ecsLine.decision = 'notGranted';
    ecsLine.actions = [
      { action: 'iam:CreateServiceLinkedRole', resource: ecsRole, decision: 'allowed' },
      { action: 'iam:CreateServiceLinkedRole', resource: scalingRole, decision: 'notGranted' },
    ];
    mockIamBackend({ report });
    await renderIam();

    const ecs = checklist().getByRole('listitem').filter({ hasText: 'Run containers (Amazon ECS)' }).first();
    await ecs.getByText('2 actions').click();
    const rows = ecs.getByRole('listitem').filter({ hasText: 'iam:CreateServiceLinkedRole' });
    await expect.element(rows.nth(1)).toBeVisible();
    expect(rows.elements().map((row) => row.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      `iam:CreateServiceLinkedRole Allowed ${ecsRole}`,
      `iam:CreateServiceLinkedRole Not allowed ${scalingRole}`,
    ]);
  });

  test('a line with one action says "1 action", not "1 actions"', async () => {
    mockIamBackend();
    await renderIam();
    const charts = checklist().getByRole('listitem').filter({ hasText: 'Charts (CloudWatch)' }).first();
    await expect.element(charts.getByText('1 action', { exact: true })).toBeVisible();
    expect(checklist().getByText('1 actions').query()).toBeNull();
  });

  test('the actions toggle of each line is named after its line', async () => {
    mockIamBackend();
    await renderIam();
    await expect.element(page.getByText('2 actions').first()).toBeVisible();
    const toggle = checklist().getByRole('group').first().getByText('2 actions');
    await expect.element(toggle).toHaveAccessibleName('Actions for “Container images (Amazon ECR)”');
  });

  test('explains up front that IAM refuses temporary credentials of a user', async () => {
    mockIamBackend({ report: permissionReport({}, 'allowed', { temporaryCredentials: true }) });
    await renderIam();
    const warning = page.getByRole('region', { name: "IAM won't accept these temporary credentials" });
    await expect.element(warning).toBeVisible();
    await expect.element(warning.getByText(/long-term access key \(its ID starts with AKIA\)/)).toBeVisible();
  });
});

describe('execution role', () => {
  test('a missing role shows what Berth will run and is created on request', async () => {
    const backend = mockIamBackend();
    const { onnavigate } = await renderIam();

    await expect.element(roleCard().getByText('Not created yet')).toBeVisible();
    await expect.element(roleCard().getByText('There\'s no role called “ecsTaskExecutionRole” yet.', { exact: false })).toBeVisible();
    const willRun = roleCard().getByRole('list', { name: 'Berth will run' });
    await expect.element(willRun.getByText(/aws iam create-role --role-name ecsTaskExecutionRole/)).toBeVisible();
    await expect.element(willRun.getByText(/aws iam attach-role-policy/)).toBeVisible();
    await expect.element(nextButton()).toBeDisabled();
    await expect.element(nextButton()).toHaveAccessibleDescription('Create the execution role first.');

    await roleCard().getByRole('button', { name: 'Create role' }).click();

    await expect.poll(() => backend.argsOf('ensure_execution_role')).toEqual([{ name: 'ecsTaskExecutionRole', fix: false }]);
    await expect.element(roleCard().getByText('Ready', { exact: true })).toBeVisible();
    await expect.element(roleCard().getByText(ROLE_ARN)).toBeVisible();
    await expect.element(page.getByRole('status').filter({ hasText: 'Created the role “ecsTaskExecutionRole”.' })).toBeInTheDocument();
    await expect.element(roleCard().getByRole('list', { name: 'Berth ran' }).getByText(/aws iam create-role/)).toBeVisible();
    // Focus follows the result.
    await expect.poll(() => document.activeElement?.className ?? '').toContain('ready');

    await expect.element(nextButton()).toBeEnabled();
    await nextButton().click();
    expect(onnavigate).toHaveBeenCalledWith('repository');
  });

  test('a ready role shows its ARN, its trust policy on request, and a command to check it', async () => {
    mockIamBackend({ role: readyRole() });
    await renderIam();

    await expect.element(roleCard().getByText(ROLE_ARN)).toBeVisible();
    await expect.element(roleCard().getByText('Berth (tagged berth:managed=true)')).toBeVisible();
    expect(roleCard().getByRole('button', { name: 'Create role' }).query()).toBeNull();
    const trust = roleCard().getByText('"Service": "ecs-tasks.amazonaws.com"', { exact: false });
    await expect.element(trust).not.toBeVisible();
    await roleCard().getByText('Show the trust policy').click();
    await expect.element(trust).toBeVisible();
    await expect.element(roleCard().getByRole('list', { name: 'Check it yourself' }).getByText(/aws iam get-role --role-name ecsTaskExecutionRole/)).toBeVisible();
    await expect.element(nextButton()).toBeEnabled();
  });

  test('a role with a wrong trust policy shows both policies and is fixed only on request', async () => {
    const backend = mockIamBackend({ role: wrongTrustRole() });
    await renderIam();

    await expect.element(roleCard().getByText('Needs fixing')).toBeVisible();
    await expect.element(roleCard().getByText(/trust policy doesn't let ECS tasks use the role/)).toBeVisible();
    await expect.element(roleCard().getByRole('figure', { name: 'Trust policy now' })).toHaveTextContent('ec2.amazonaws.com');
    await expect.element(roleCard().getByRole('figure', { name: 'Trust policy Berth sets' })).toHaveTextContent('ecs-tasks.amazonaws.com');
    expect(backend.order()).not.toContain('ensure_execution_role');

    // Replacing a trust policy is asked first, with the safe answer focused.
    await roleCard().getByRole('button', { name: 'Fix role' }).click();
    const confirm = roleCard().getByRole('group', { name: /Fixing replaces the trust policy of “ecsTaskExecutionRole”/ });
    await expect.element(confirm.getByRole('button', { name: 'Keep it as it is' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await expect.element(roleCard().getByRole('button', { name: 'Fix role' })).toHaveFocus();
    expect(backend.order()).not.toContain('ensure_execution_role');

    await roleCard().getByRole('button', { name: 'Fix role' }).click();
    await userEvent.keyboard('{Escape}');
    await expect.element(roleCard().getByRole('button', { name: 'Fix role' })).toHaveFocus();
    await roleCard().getByRole('button', { name: 'Fix role' }).click();
    await roleCard().getByRole('button', { name: 'Replace trust policy' }).click();
    await expect.poll(() => backend.argsOf('ensure_execution_role')).toEqual([{ name: 'ecsTaskExecutionRole', fix: true }]);
    await expect.element(page.getByRole('status').filter({ hasText: 'Fixed the role “ecsTaskExecutionRole”.' })).toBeInTheDocument();
  });

  test('a role only missing its policy is fixed without asking: attaching takes nothing away', async () => {
    const backend = mockIamBackend({
      role: { ...wrongTrustRole(), problems: ['policyNotAttached'], trustPolicy: readyRole().trustPolicy },
    });
    await renderIam();
    await expect.element(roleCard().getByText(/AmazonECSTaskExecutionRolePolicy isn't attached/)).toBeVisible();
    await roleCard().getByRole('button', { name: 'Fix role' }).click();
    await expect.poll(() => backend.argsOf('ensure_execution_role')).toEqual([{ name: 'ecsTaskExecutionRole', fix: true }]);
  });

  test('access denied names the action, shows the policy to add, and says the half-made role was removed', async () => {
    const backend = mockIamBackend();
    const statement = '{\n  "Version": "2012-10-17",\n  "Statement": [{ "Action": ["iam:AttachRolePolicy"] }]\n}';
    backend.answers.ensure_execution_role = () =>
      Promise.reject(accessDenied('iam:AttachRolePolicy', { statement, cleanup: 'removed', role: 'ecsTaskExecutionRole', group: 'roleSetup' }));
    await renderIam();

    await roleCard().getByRole('button', { name: 'Create role' }).click();

    await expect.element(roleCard().getByText('Access denied')).toBeVisible();
    await expect.element(roleCard().getByText(/isn't allowed to perform iam:AttachRolePolicy/)).toBeVisible();
    await expect.element(roleCard().getByText(/Ask your administrator to add this policy/)).toBeVisible();
    const policy = roleCard().getByRole('figure', { name: 'Policy to add' });
    await expect.element(policy).toHaveTextContent('"iam:AttachRolePolicy"');
    await expect.element(roleCard().getByRole('button', { name: 'Copy policy: Policy to add' })).toBeVisible();
    await expect.element(roleCard().getByText(/deleted the role “ecsTaskExecutionRole” it had just created/)).toBeVisible();
    expect(document.activeElement?.classList.contains('iam-error')).toBe(true);
  });

  test('a half-made role that could not be removed is reported as such', async () => {
    const backend = mockIamBackend();
    backend.answers.ensure_execution_role = () =>
      Promise.reject(accessDenied('iam:AttachRolePolicy', { cleanup: 'leftBehind', role: 'ecsTaskExecutionRole' }));
    await renderIam();
    await roleCard().getByRole('button', { name: 'Create role' }).click();
    await expect.element(roleCard().getByText(/couldn't delete it again/)).toBeVisible();
  });

  test('temporary credentials IAM refuses get their own explanation', async () => {
    const backend = mockIamBackend();
    backend.answers.get_execution_role = () =>
      Promise.reject({ kind: 'iamNeedsLongTermCredentials', params: { action: 'iam:GetRole', code: 'InvalidClientTokenId' }, details: 'InvalidClientTokenId' });
    await renderIam();
    await expect.element(roleCard().getByText('IAM needs long-term keys or an MFA session')).toBeVisible();
    await expect.element(roleCard().getByText(/AWS refused iam:GetRole because these are temporary credentials/)).toBeVisible();
    await expect.element(roleCard().getByRole('button', { name: 'Try again' })).toBeVisible();
  });

  test('another role name is looked up; a bad one is marked on the field', async () => {
    const backend = mockIamBackend();
    await renderIam();
    await expect.element(roleCard().getByText('Not created yet')).toBeVisible();
    const field = roleCard().getByLabelText('Role name');
    await expect.element(field).toHaveValue('ecsTaskExecutionRole');

    await field.fill('web-exec');
    await roleCard().getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => backend.argsOf('get_execution_role').at(-1)).toEqual({ name: 'web-exec' });
    // The checklist's role lines are about the new name too.
    await expect.poll(() => backend.argsOf('check_permissions').at(-1)).toEqual({ roleName: 'web-exec', userName: 'berth-deployer' });

    backend.answers.get_execution_role = () => Promise.reject(invalidInput('roleName', 'characters'));
    await field.fill('my role');
    await roleCard().getByRole('button', { name: 'Look up' }).click();
    await expect.element(field).toHaveAttribute('aria-invalid', 'true');
    await expect.element(field).toHaveAccessibleDescription(/Use only letters, digits and \+ = , \. @ _ - \(no spaces\)\./);
    await expect.element(field).toHaveFocus();
  });

  test('the role remembered by an earlier visit is the one looked at', async () => {
    const backend = mockIamBackend({ role: readyRole('team-exec') });
    backend.answers.get_wizard = () => ({ executionRoleArn: 'arn:aws:iam::123456789012:role/team-exec', repository: null, image: null });
    await renderIam();
    await expect.element(roleCard().getByLabelText('Role name')).toHaveValue('team-exec');
    await expect.element(roleCard().getByText('arn:aws:iam::123456789012:role/team-exec')).toBeVisible();
  });
});

describe('deploy user', () => {
  test('is collapsed until opened, then shows its policy before anything is created', async () => {
    const backend = mockIamBackend({ role: readyRole() });
    await renderIam();
    await expect.element(deployUserSummary()).toBeVisible();
    await expect.element(page.getByLabelText('User name')).not.toBeVisible();
    expect(backend.order()).not.toContain('plan_deploy_user');

    await deployUserSummary().click();
    await expect.poll(() => backend.argsOf('plan_deploy_user')).toEqual([{ userName: 'berth-deployer', roleName: 'ecsTaskExecutionRole' }]);
    await expect.element(page.getByRole('heading', { name: 'Its policy: berth-deployer-policy' })).toBeVisible();
    await expect.element(page.getByRole('figure', { name: 'Policy berth-deployer-policy' })).toHaveTextContent('"iam:PassRole"');
    await expect.element(page.getByRole('list', { name: 'Berth will run' }).last().getByText(/aws iam create-access-key --user-name berth-deployer/)).toBeVisible();
    expect(backend.order()).not.toContain('create_deploy_user');
  });

  test('creates the user, switches to its key and looks at IAM again as it', async () => {
    const backend = mockIamBackend({ role: readyRole() });
    await renderIam();
    await deployUserSummary().click();
    await expect.element(page.getByRole('heading', { name: 'Its policy: berth-deployer-policy' })).toBeVisible();

    await page.getByLabelText('User name').fill('ci-deployer');
    await page.getByLabelText('Keychain name').fill('ci key');
    // Leaving the user name field plans for the new name.
    await page.getByLabelText('Keychain name').click();
    await expect.element(page.getByRole('heading', { name: 'Its policy: ci-deployer-policy' })).toBeVisible();
    const checksBefore = backend.argsOf('check_permissions').length;
    const accountReads = backend.argsOf('get_account').length;

    await page.getByRole('button', { name: 'Create user and switch to it' }).click();

    await expect.poll(() => backend.argsOf('create_deploy_user')).toEqual([
      { request: { userName: 'ci-deployer', identityName: 'ci key', roleName: 'ecsTaskExecutionRole' } },
    ]);
    const done = page.getByRole('region', { name: 'Signed in as ci-deployer' });
    await expect.element(done).toBeVisible();
    await expect.element(done.getByText(/in your system keychain as “ci key” \(AKIA…DPLY\)/)).toBeVisible();
    await expect.element(done).toHaveFocus();
    // The account and the checks follow the new identity.
    await expect.poll(() => backend.argsOf('get_account').length).toBeGreaterThan(accountReads);
    await expect.poll(() => backend.argsOf('check_permissions').length).toBeGreaterThan(checksBefore);
    expect(backend.argsOf('check_permissions').at(-1)).toEqual({ roleName: 'ecsTaskExecutionRole', userName: 'ci-deployer' });
  });

  test('a keychain name taken by another key is marked on its field', async () => {
    const backend = mockIamBackend({ role: readyRole() });
    backend.answers.create_deploy_user = () => Promise.reject(invalidInput('identityName', 'taken', { name: 'berth-deployer' }));
    await renderIam();
    await deployUserSummary().click();
    await expect.element(page.getByRole('heading', { name: 'Its policy: berth-deployer-policy' })).toBeVisible();
    await page.getByRole('button', { name: 'Create user and switch to it' }).click();

    const field = page.getByLabelText('Keychain name');
    await expect.element(field).toHaveAttribute('aria-invalid', 'true');
    await expect.element(field).toHaveAccessibleDescription(/Another key is already saved as “berth-deployer”/);
    await expect.element(field).toHaveFocus();
  });

  test('a user of that name Berth did not make, or the one in use, is not offered for creation', async () => {
    const backend = mockIamBackend({ role: readyRole() });
    backend.answers.plan_deploy_user = () => deployUserPlan({ state: 'notBerths' });
    await renderIam();
    await deployUserSummary().click();
    await expect.element(page.getByText(/already exists and Berth didn't make it/)).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Create user and switch to it' })).toBeDisabled();

    backend.answers.plan_deploy_user = () => deployUserPlan({ state: 'inUse' });
    await deployUserSummary().click();
    await deployUserSummary().click();
    await expect.element(page.getByText(/You're signed in as the deploy user “berth-deployer”/)).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Create user and switch to it' })).toBeDisabled();
  });

  test('a failure shows what was cleaned up', async () => {
    const backend = mockIamBackend({ role: readyRole() });
    backend.answers.create_deploy_user = () =>
      Promise.reject(accessDenied('iam:CreateAccessKey', { cleanup: 'leftBehind', leftBehind: 'user berth-deployer' }));
    await renderIam();
    await deployUserSummary().click();
    await expect.element(page.getByRole('heading', { name: 'Its policy: berth-deployer-policy' })).toBeVisible();
    await page.getByRole('button', { name: 'Create user and switch to it' }).click();
    await expect.element(page.getByText(/couldn't delete everything it had created in this attempt: user berth-deployer/)).toBeVisible();
  });
});

describe('while answers are on their way', () => {
  test('the checklist lines show as checking and the role as being looked for', async () => {
    const backend = mockIamBackend();
    const report = deferred<ReturnType<typeof permissionReport>>();
    const role = deferred<ReturnType<typeof missingRole>>();
    backend.answers.check_permissions = () => report.promise;
    backend.answers.get_execution_role = () => role.promise;
    await renderIam();

    await expect.element(checklist()).toHaveAttribute('aria-busy', 'true');
    expect(checklist().getByText('Checking', { exact: true }).elements()).toHaveLength(11);
    await expect.element(roleCard().getByText('Looking for the role…')).toBeVisible();
    report.resolve(permissionReport());
    role.resolve(missingRole());
    await expect.element(checklist()).toHaveAttribute('aria-busy', 'false');
    await expect.element(roleCard().getByText('Not created yet')).toBeVisible();
  });
});

describe('in Korean', () => {
  test('the whole step speaks Korean', async () => {
    mockIamBackend({ report: unknownReport() });
    setLanguage('ko');
    await renderIam();
    await expect.element(page.getByRole('region', { name: 'Berth에 필요한 권한' })).toBeVisible();
    await expect.element(page.getByText('알 수 없음 — 사용할 때 확인합니다').first()).toBeVisible();
    await expect.element(page.getByRole('region', { name: '태스크 실행 역할' })).toBeVisible();
    await expect.element(page.getByRole('button', { name: '역할 만들기' })).toBeVisible();
    await expect.element(page.getByText('선택: 최소 권한 배포 전용 사용자')).toBeVisible();
  });
});

describe('the infrastructure role for a stable HTTPS address', () => {
  const card = () => page.getByRole('region', { name: /Infrastructure role for a stable HTTPS address/ });

  test('is optional, shows what Berth runs, and creates the role once', async () => {
    const backend = mockIamBackend();
    await renderIam();
    await expect.element(card().getByText('Not created')).toBeVisible();
    await expect.element(card().getByText(/aws iam create-role --role-name ecsInfrastructureRoleForExpressServices/)).toBeInTheDocument();
    await card().getByRole('button', { name: 'Create the infrastructure role' }).click();
    await expect.element(card().getByText('The infrastructure role is ready.')).toBeVisible();
    await expect.element(card().getByText('arn:aws:iam::123456789012:role/ecsInfrastructureRoleForExpressServices')).toBeVisible();
    expect(backend.order().filter((c) => c === 'ensure_infrastructure_role')).toHaveLength(1);
    // Ready: nothing more to run, so no button.
    expect(card().getByRole('button', { name: 'Create the infrastructure role' }).query()).toBeNull();
  });
});
