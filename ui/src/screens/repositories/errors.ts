import type { BerthError } from '../../ipc/types';
import { t } from '../../lib/i18n/index.svelte';

/**
 * The error with its `resource` parameter in the user's language: the backend names a
 * repository `repository`, and "not found" / "already exists" messages show that word.
 */
export function localized(error: BerthError): BerthError {
  if (error.params.resource !== 'repository') return error;
  return { ...error, params: { ...error.params, resource: t('repositories.resource') } };
}

/** Whether the error says the repository itself is not there (any more). */
export function repositoryMissing(error: BerthError): boolean {
  if (error.kind !== 'notFound') return false;
  const code = error.params.code;
  return code === 'RepositoryNotFoundException' || (code === undefined && error.params.resource === 'repository');
}
