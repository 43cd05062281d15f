import { describe, expect, test } from 'vitest';
import en from '../../lib/i18n/en.json';
import ko from '../../lib/i18n/ko.json';

function lookup(catalog: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], catalog);
}

const HANGUL = /[\uAC00-\uD7A3]/;

describe('IAM strings', () => {
  test('every input rule the IAM step names has a message in both catalogs', () => {
    const rules = [
      'roleName.required',
      'roleName.tooLong',
      'roleName.characters',
      'userName.required',
      'userName.tooLong',
      'userName.characters',
      'userName.signedIn',
      'identityName.required',
      'identityName.tooLong',
      'identityName.characters',
      'identityName.taken',
    ];
    for (const rule of rules) {
      expect(lookup(en, `validation.${rule}`), rule).toMatch(/\S/);
      expect(lookup(ko, `validation.${rule}`), rule).toMatch(HANGUL);
    }
  });

  test('every IAM action Berth records has a label in both catalogs', () => {
    // The action keys of src-tauri/core/src/aws/iam.rs.
    const actions = [
      'getRole',
      'createRole',
      'updateAssumeRolePolicy',
      'listAttachedRolePolicies',
      'attachRolePolicy',
      'deleteRole',
      'getUser',
      'createUser',
      'deleteUser',
      'attachUserPolicy',
      'detachUserPolicy',
      'listAttachedUserPolicies',
      'getPolicy',
      'getPolicyVersion',
      'createPolicy',
      'createPolicyVersion',
      'listPolicyVersions',
      'deletePolicyVersion',
      'deletePolicy',
      'listAccessKeys',
      'createAccessKey',
      'deleteAccessKey',
      'simulatePrincipalPolicy',
    ];
    for (const action of actions) {
      expect(lookup(en, `activity.actions.iam.${action}`), action).toMatch(/\S/);
      expect(lookup(ko, `activity.actions.iam.${action}`), action).toMatch(HANGUL);
    }
  });

  test('the checklist lines and the role states are in Korean', () => {
    for (const group of ['ecr', 'ecs', 'network', 'logs', 'metrics', 'passRole', 'roleSetup', 'userSetup']) {
      expect(lookup(ko, `iam.checklist.groups.${group}.title`)).toMatch(HANGUL);
      expect(lookup(ko, `iam.checklist.groups.${group}.body`)).toMatch(HANGUL);
    }
    for (const state of ['missing', 'ready', 'needsFix']) {
      expect(lookup(ko, `iam.role.state.${state}`)).toMatch(HANGUL);
    }
  });
});
