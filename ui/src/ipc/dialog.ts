// The native folder picker (the dialog plugin's one permission the window has).
import { open as openDialog } from '@tauri-apps/plugin-dialog';
import { toBerthError } from './errors';

/** Asks the user for a folder with the system's dialog; `null` when they cancel. */
export async function pickFolder(title: string, defaultPath?: string): Promise<string | null> {
  try {
    const chosen = await openDialog({ directory: true, multiple: false, title, defaultPath });
    return typeof chosen === 'string' ? chosen : null;
  } catch (reason) {
    throw toBerthError(reason);
  }
}
