// Test support only: sample IAM step answers, and a stand-in for its commands on top of the
// account backend of fixtures.ts.
import type {
  BerthError,
  Decision,
  DeployUserOutcome,
  DeployUserPlan,
  DeployUserRequest,
  GroupCheck,
  InfrastructureRoleStatus,
  PermissionGroup,
  PermissionReport,
  RoleStatus,
} from '../ipc/types';
import { accountOverview, mockAccountBackend, noPractice } from './fixtures';

export const ACCOUNT = '123456789012';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
const POLICY_ARN = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

export const GROUPS: PermissionGroup[] = ['ecr', 'ecs', 'network', 'logs', 'metrics', 'passRole', 'roleSetup', 'userSetup', 'secrets', 'prices', 'express'];

/** Two actions per line, enough to show per-action decisions. */
const ACTIONS: Record<PermissionGroup, string[]> = {
  ecr: ['ecr:GetAuthorizationToken', 'ecr:CreateRepository'],
  ecs: ['ecs:CreateCluster', 'ecs:RunTask'],
  network: ['ec2:DescribeVpcs', 'ec2:CreateSecurityGroup'],
  logs: ['logs:CreateLogGroup', 'logs:GetLogEvents'],
  metrics: ['cloudwatch:GetMetricData'],
  passRole: ['iam:PassRole'],
  roleSetup: ['iam:GetRole', 'iam:CreateRole'],
  userSetup: ['iam:CreateUser', 'iam:CreateAccessKey'],
  kmsEncryption: ['kms:CreateGrant', 'kms:RetireGrant'],
  secrets: ['ssm:PutParameter', 'iam:PutRolePolicy'],
  prices: ['pricing:GetProducts'],
  express: ['ecs:CreateExpressGatewayService', 'iam:PassRole'],
};

/** A checklist where each line has `decisions[line]` (default: the same for every line). */
export function permissionReport(
  decisions: Partial<Record<PermissionGroup, Decision>> = {},
  fallback: Decision = 'allowed',
  overrides: Partial<PermissionReport> = {},
): PermissionReport {
  const groups: GroupCheck[] = GROUPS.map((group) => {
    const decision = decisions[group] ?? fallback;
    return {
      group,
      decision,
      actions: ACTIONS[group].map((action, i) => ({
        action,
        resource: group === 'passRole' ? ROLE_ARN : '*',
        // One action carries the line's decision; the others are allowed.
        decision: i === 0 || decision === 'unknown' ? decision : 'allowed',
      })),
    };
  });
  return {
    principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    account: ACCOUNT,
    simulatedArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    temporaryCredentials: false,
    unknownReason: null,
    simulatorError: null,
    groups,
    ...overrides,
  };
}

/** What check_permissions answers against moto (no simulator). */
export function unknownReport(): PermissionReport {
  return permissionReport({}, 'unknown', {
    unknownReason: 'simulatorFailed',
    simulatorError: { kind: 'internal', params: { action: 'iam:SimulatePrincipalPolicy' }, details: 'HTTP 500' },
  });
}

const TRUST = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Service": "ecs-tasks.amazonaws.com"
      },
      "Action": "sts:AssumeRole"
    }
  ]
}`;

const CREATE = `aws iam create-role --role-name ecsTaskExecutionRole --assume-role-policy-document '{"Version":"2012-10-17"}' --tags Key=berth:managed,Value=true --region eu-west-1`;
const ATTACH = `aws iam attach-role-policy --role-name ecsTaskExecutionRole --policy-arn ${POLICY_ARN} --region eu-west-1`;
const UPDATE = `aws iam update-assume-role-policy --role-name ecsTaskExecutionRole --policy-document '{"Version":"2012-10-17"}' --region eu-west-1`;

export function missingRole(name = 'ecsTaskExecutionRole'): RoleStatus {
  return {
    name,
    state: 'missing',
    arn: null,
    problems: [],
    createdByBerth: false,
    trustPolicy: null,
    expectedTrustPolicy: TRUST,
    managedPolicyArn: POLICY_ARN,
    plan: [CREATE, ATTACH],
    checkCommand: `aws iam get-role --role-name ${name} --region eu-west-1`,
  };
}

export function readyRole(name = 'ecsTaskExecutionRole'): RoleStatus {
  return {
    ...missingRole(name),
    state: 'ready',
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    createdByBerth: true,
    trustPolicy: TRUST,
    plan: [],
  };
}

export function wrongTrustRole(): RoleStatus {
  return {
    ...missingRole(),
    state: 'needsFix',
    arn: ROLE_ARN,
    problems: ['trustPolicy'],
    trustPolicy: TRUST.replace('ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'),
    plan: [UPDATE],
  };
}

export const DEPLOY_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PassExecutionRole",
      "Effect": "Allow",
      "Action": [
        "iam:PassRole"
      ],
      "Resource": "${ROLE_ARN}"
    }
  ]
}`;

export function deployUserPlan(overrides: Partial<DeployUserPlan> = {}): DeployUserPlan {
  const user = overrides.userName ?? 'berth-deployer';
  return {
    userName: user,
    userArn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
    policyName: `${user}-policy`,
    policyArn: `arn:aws:iam::${ACCOUNT}:policy/${user}-policy`,
    policy: DEPLOY_POLICY,
    state: 'missing',
    commands: [`aws iam create-user --user-name ${user}`, `aws iam create-access-key --user-name ${user}`],
    readError: null,
    ...overrides,
  };
}

export function deployUserOutcome(request: DeployUserRequest): DeployUserOutcome {
  return {
    userArn: `arn:aws:iam::${ACCOUNT}:user/${request.userName}`,
    policyArn: `arn:aws:iam::${ACCOUNT}:policy/${request.userName}-policy`,
    identity: { name: request.identityName, maskedKeyId: 'AKIA…DPLY', hasSessionToken: false },
    verified: {
      account: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:user/${request.userName}`,
      principal: 'user',
      name: request.userName,
    },
    keyCreated: true,
    ran: [`aws iam create-user --user-name ${request.userName}`],
  };
}

export function accessDenied(action: string, extra: Record<string, string> = {}): BerthError {
  return {
    kind: 'accessDenied',
    params: { action, ...extra },
    details: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: ${action}`,
  };
}

/**
 * The account backend, signed in (a profile in eu-west-1), plus the IAM commands: the role is
 * `role` until ensure_execution_role makes it ready; the checklist answers `report`.
 */
export function mockIamBackend(options: { role?: RoleStatus; report?: PermissionReport; practice?: boolean } = {}) {
  const backend = mockAccountBackend(
    accountOverview({
      settings: {
        source: { kind: 'profile', name: 'default' },
        region: 'eu-west-1',
        practice: options.practice ? { enabled: true, managed: false, endpointUrl: 'http://127.0.0.1:5000', registry: '' } : noPractice,
      },
    }),
  );
  let role = options.role ?? missingRole();
  backend.answers.check_permissions = () => options.report ?? permissionReport();
  backend.answers.get_execution_role = (args) => ({ ...role, name: args.name as string });
  backend.answers.ensure_execution_role = (args) => {
    const ran = role.plan;
    role = readyRole(args.name as string);
    return { status: role, ran };
  };
  let infrastructure = missingInfrastructureRole();
  backend.answers.get_infrastructure_role = () => infrastructure;
  backend.answers.ensure_infrastructure_role = () => {
    const ran = infrastructure.plan;
    infrastructure = readyInfrastructureRole();
    return { status: infrastructure, ran };
  };
  backend.answers.plan_deploy_user = (args) => deployUserPlan({ userName: args.userName as string });
  backend.answers.create_deploy_user = (args) => deployUserOutcome(args.request as DeployUserRequest);
  return backend;
}

const INFRA_NAME = 'ecsInfrastructureRoleForExpressServices';
const INFRA_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices';
const INFRA_TRUST = JSON.stringify(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
  null,
  2,
);

/** The Express Mode infrastructure role, not made yet (with the commands that make it). */
export function missingInfrastructureRole(): InfrastructureRoleStatus {
  return {
    name: INFRA_NAME,
    state: 'missing',
    arn: null,
    problems: [],
    createdByBerth: false,
    expectedTrustPolicy: INFRA_TRUST,
    managedPolicyArn: INFRA_POLICY,
    plan: [
      `aws iam create-role --role-name ${INFRA_NAME} --assume-role-policy-document '{"Version":"2012-10-17"}' --tags Key=berth:managed,Value=true --region eu-west-1`,
      `aws iam attach-role-policy --role-name ${INFRA_NAME} --policy-arn ${INFRA_POLICY} --region eu-west-1`,
    ],
  };
}

export function readyInfrastructureRole(): InfrastructureRoleStatus {
  return {
    ...missingInfrastructureRole(),
    state: 'ready',
    arn: `arn:aws:iam::${ACCOUNT}:role/${INFRA_NAME}`,
    createdByBerth: true,
    plan: [],
  };
}
