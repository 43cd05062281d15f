// Prepares a fresh HOME in which Berth starts in practice mode against the stack's moto, already
// signed in through a static profile (fake keys moto accepts), so a test of a later wizard step
// does not have to retype the Account step. The Account step itself is tested by account.test.mjs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEnv, tempHome } from './app.mjs';

/** Tauri's app config folder for Berth's identifier, inside `home`. */
export function configDir(home) {
  return join(home, '.config', 'app.berth.desktop');
}

/** Tauri's app data folder (activity log, launch records), inside `home`. */
export function dataDir(home) {
  return join(home, '.local', 'share', 'app.berth.desktop');
}

/**
 * A HOME with ~/.aws holding a `practice` profile and Berth's settings.json selecting it, in
 * `region`, with practice mode on (moto endpoint, the stack's registry as the ECR override).
 * `wizard` is merged into the remembered wizard state (executionRoleArn, repository, image).
 */
export function practiceHome({ region = 'us-east-1', wizard = {} } = {}) {
  const home = tempHome();
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(
    join(home, '.aws', 'credentials'),
    '[practice]\naws_access_key_id = TESTPRACTICEKEY00001\naws_secret_access_key = practice-not-a-secret\n',
  );
  writeFileSync(join(home, '.aws', 'config'), `[profile practice]\nregion = ${region}\n`);
  const settings = {
    account: {
      source: { kind: 'profile', name: 'practice' },
      region,
      practice: {
        enabled: true,
        endpointUrl: requireEnv('BERTH_TEST_MOTO_URL'),
        registry: requireEnv('BERTH_TEST_REGISTRY'),
      },
    },
    identities: [],
    // Practice keeps its wizard state apart from the real account's.
    practiceWizard: { executionRoleArn: null, repository: null, image: null, ...wizard },
  };
  mkdirSync(configDir(home), { recursive: true });
  writeFileSync(join(configDir(home), 'settings.json'), JSON.stringify(settings, null, 2));
  return home;
}

/** A practice HOME signed in with `keys` (an account of the test's own, from moto.mjs isolatedAccount). */
export function practiceHomeFor(keys, options = {}) {
  const home = practiceHome(options);
  writeFileSync(
    join(home, '.aws', 'credentials'),
    `[practice]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\naws_session_token = ${keys.sessionToken}\n`,
  );
  return home;
}
