import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, test } from 'vitest';
import { accountOverview, aliceVerified, runningDocker } from '../test/fixtures';
import {
  appInfo,
  getAccount,
  probeDocker,
  readAwsConfig,
  removeIdentity,
  saveIdentity,
  updateAccount,
  verifyAccount,
} from './commands';
import type { BerthError } from './types';

afterEach(() => clearMocks());

describe('commands', () => {
  test('each wrapper invokes its snake_case command and returns the answer', async () => {
    const seen: string[] = [];
    mockIPC((cmd) => {
      seen.push(cmd);
      if (cmd === 'probe_docker') return runningDocker;
      if (cmd === 'app_info') return { version: '0.1.0', os: 'linux', arch: 'x86_64' };
      return { marker: cmd };
    });

    await expect(probeDocker()).resolves.toEqual(runningDocker);
    await expect(readAwsConfig()).resolves.toEqual({ marker: 'read_aws_config' });
    await expect(appInfo()).resolves.toEqual({ version: '0.1.0', os: 'linux', arch: 'x86_64' });
    expect(seen).toEqual(['probe_docker', 'read_aws_config', 'app_info']);
  });

  test('account commands send their arguments under the names the Rust commands take', async () => {
    const seen: { cmd: string; args: unknown }[] = [];
    const overview = accountOverview();
    mockIPC((cmd, args) => {
      seen.push({ cmd, args });
      return cmd === 'verify_account' ? aliceVerified : overview;
    });
    const identity = { name: 'work', accessKeyId: 'AKIATESTBERTH0001', secretAccessKey: 's3cr3t', sessionToken: null };

    await expect(getAccount()).resolves.toEqual(overview);
    await expect(saveIdentity(identity)).resolves.toEqual(overview);
    await expect(removeIdentity('work')).resolves.toEqual(overview);
    await expect(updateAccount(overview.settings)).resolves.toEqual(overview);
    await expect(verifyAccount()).resolves.toEqual(aliceVerified);

    expect(seen.map((s) => s.cmd)).toEqual([
      'get_account',
      'save_identity',
      'remove_identity',
      'update_account',
      'verify_account',
    ]);
    expect(seen[1].args).toEqual({ identity });
    expect(seen[2].args).toEqual({ name: 'work' });
    expect(seen[3].args).toEqual({ account: overview.settings });
  });

  test('a BerthError rejection reaches the caller unchanged', async () => {
    const error: BerthError = { kind: 'accessDenied', params: { action: 'ecr:CreateRepository' }, details: 'AccessDeniedException' };
    mockIPC(() => Promise.reject(error));

    await expect(readAwsConfig()).rejects.toEqual(error);
  });

  test('any other rejection becomes an internal BerthError with the text in details', async () => {
    mockIPC(() => Promise.reject('command probe_docker not found'));
    await expect(probeDocker()).rejects.toEqual({ kind: 'internal', params: {}, details: 'command probe_docker not found' });

    mockIPC(() => {
      throw new TypeError('boom');
    });
    await expect(probeDocker()).rejects.toEqual({ kind: 'internal', params: {}, details: 'boom' });
  });

  test('without a Tauri backend at all, callers still get an internal BerthError', async () => {
    clearMocks();
    const rejection = await probeDocker().catch((e: unknown) => e);
    expect(rejection).toMatchObject({ kind: 'internal', params: {} });
    expect((rejection as BerthError).details).toMatch(/\S/);
  });
});
