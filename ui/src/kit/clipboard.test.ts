import { afterEach, describe, expect, test, vi } from 'vitest';
import { copyText } from './clipboard';

afterEach(() => vi.restoreAllMocks());

describe('copyText', () => {
  test('uses the clipboard API when the webview allows it', async () => {
    const write = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    expect(await copyText('aws ecr describe-repositories')).toBe(true);
    expect(write).toHaveBeenCalledWith('aws ecr describe-repositories');
  });

  test('falls back to a selection copy, leaves nothing behind, and gives the focus back', async () => {
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('not allowed'));
    const exec = vi.spyOn(document, 'execCommand').mockReturnValue(true);
    const button = document.createElement('button');
    document.body.append(button);
    button.focus();
    expect(await copyText('sha256:abc')).toBe(true);
    expect(exec).toHaveBeenCalledWith('copy');
    expect(document.querySelector('textarea')).toBeNull();
    expect(document.activeElement).toBe(button);
    button.remove();
  });

  test('says false when both ways are refused', async () => {
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('not allowed'));
    vi.spyOn(document, 'execCommand').mockReturnValue(false);
    expect(await copyText('x')).toBe(false);
  });
});
