import { afterEach, describe, expect, test, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import ChoiceHost from '../test/ChoiceHost.svelte';
import DialogHost from '../test/DialogHost.svelte';
import FormDialogHost from '../test/FormDialogHost.svelte';
import PanelHost from '../test/PanelHost.svelte';
import { resetLanguage } from '../test/fixtures';
import { CopyButton, Spinner } from './index';

afterEach(() => {
  resetLanguage();
  vi.restoreAllMocks();
});

describe('Spinner', () => {
  test('is decoration unless it is given words, which only screen readers get', async () => {
    const plain = await render(Spinner);
    expect(plain.container.querySelector('.spinner')?.getAttribute('aria-hidden')).toBe('true');
    await plain.unmount();

    await render(Spinner, { label: 'Pushing…', size: '24px' });
    const spinner = document.querySelector<HTMLElement>('.spinner')!;
    expect(spinner.getAttribute('aria-hidden')).toBeNull();
    expect(spinner.textContent).toBe('Pushing…');
    expect(getComputedStyle(spinner).width).toBe('24px');
  });
});

describe('CopyButton', () => {
  test('copies, says "Copied" for a while, and announces it', async () => {
    const write = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    await render(CopyButton, { text: 'aws ecr describe-repositories', label: 'Copy command' });
    const button = page.getByRole('button', { name: 'Copy command' });
    await expect.element(button).toHaveTextContent('Copy');
    await button.click();
    expect(write).toHaveBeenCalledWith('aws ecr describe-repositories');
    await expect.element(button).toHaveTextContent('Copied');
    await expect.element(page.getByText('Copied').last()).toHaveAttribute('aria-live', 'polite');
  });

  test('as an icon its name says what it copies, in the current language', async () => {
    vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    setLanguage('ko');
    await render(CopyButton, { text: 'sha256:abc', label: 'web의 URI 복사', icon: true });
    const button = page.getByRole('button', { name: 'web의 URI 복사' });
    await expect.element(button).toHaveAttribute('title', 'web의 URI 복사');
    await button.click();
    await expect.element(page.getByText('복사됨')).toBeInTheDocument();
  });

  test('a refused copy does not claim it worked', async () => {
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('no'));
    vi.spyOn(document, 'execCommand').mockReturnValue(false);
    await render(CopyButton, { text: 'x', label: 'Copy policy' });
    await page.getByRole('button', { name: 'Copy policy' }).click();
    await expect.element(page.getByRole('button', { name: 'Copy policy' })).toHaveTextContent('Copy');
    expect(page.getByText('Copied').query()).toBeNull();
  });
});

describe('ChoiceCard', () => {
  test('each card is a radio button named by its label and described by its hint', async () => {
    await render(ChoiceHost);
    const service = page.getByRole('radio', { name: 'Keep it running' });
    await expect.element(service).toBeChecked();
    await expect.element(service).toHaveAccessibleDescription('ECS restarts it.');
    await expect.element(page.getByRole('radio', { name: 'Later' })).toBeDisabled();
  });

  test('choosing one updates the bound value, calls onchange and outlines the chosen card', async () => {
    const picked: string[] = [];
    await render(ChoiceHost, { onpicked: (value: string) => picked.push(value) });
    await page.getByText('Run it once').click();
    await expect.element(page.getByRole('radio', { name: 'Run it once' })).toBeChecked();
    await expect.element(page.getByRole('radio', { name: 'Keep it running' })).not.toBeChecked();
    await expect.element(page.getByTestId('chosen')).toHaveTextContent('task');
    expect(picked).toEqual(['task']);
    const card = page.getByRole('radio', { name: 'Run it once' }).element().closest('.choice-card');
    expect(card?.classList.contains('chosen')).toBe(true);
  });

  test('arrow keys move between the cards of one choice', async () => {
    await render(ChoiceHost);
    await page.getByRole('radio', { name: 'Keep it running' }).click();
    await userEvent.keyboard('{ArrowDown}');
    await expect.element(page.getByRole('radio', { name: 'Run it once' })).toBeChecked();
  });
});

describe('ModalDialog', () => {
  test('opens modal with its name, focuses the safe choice, and gives the focus back', async () => {
    await render(DialogHost);
    const opener = page.getByRole('button', { name: 'Delete…' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Delete the repository?' });
    await expect.element(dialog).toBeVisible();
    await expect.element(dialog).toHaveAccessibleDescription("It can't be undone.");
    await expect.element(page.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.element(dialog).not.toBeInTheDocument();
    await expect.element(opener).toHaveFocus();
  });

  test('Escape cancels, except while busy', async () => {
    const screen = await render(DialogHost, { busy: true });
    await page.getByRole('button', { name: 'Delete…' }).click();
    await userEvent.keyboard('{Escape}');
    await expect.element(page.getByRole('dialog')).toBeVisible();
    await expect.element(page.getByTestId('closed')).toHaveTextContent('0');

    await screen.rerender({ busy: false });
    await userEvent.keyboard('{Escape}');
    await expect.element(page.getByTestId('closed')).toHaveTextContent('1');
    expect(page.getByRole('dialog').query()).toBeNull();
  });
});

describe('Callout', () => {
  test('a warning is told in words and its role; the mark only repeats the tone', async () => {
    const { default: CalloutHost } = await import('../test/CalloutHost.svelte');
    await render(CalloutHost);
    const alert = page.getByRole('alert');
    await expect.element(alert).toHaveTextContent('The image is linux/arm64.');
    expect(alert.element().querySelector('[aria-hidden="true"]')?.textContent).toBe('!');
    await expect.element(page.getByRole('note')).toHaveTextContent('Docker emulates linux/amd64.');
  });
});

describe('FormPanel', () => {
  const denied = { kind: 'accessDenied', params: { action: 'ecs:UpdateService' }, details: null } as const;

  test('is a form named by its heading; Enter acts once what is typed allows it', async () => {
    await render(PanelHost);
    await page.getByRole('button', { name: 'Scale shop' }).click();
    const form = page.getByRole('form', { name: 'Scale shop' });
    await expect.element(form).toBeVisible();
    await expect.element(form.getByRole('button', { name: 'Set desired count' })).toBeDisabled();
    await form.getByRole('textbox', { name: 'Desired tasks' }).fill('2');
    await userEvent.keyboard('{Enter}');
    await expect.element(page.getByTestId('acted')).toHaveTextContent('1');
  });

  test('while busy the action is disabled and says what runs; the error of a try is an alert', async () => {
    const screen = await render(PanelHost, { busy: true });
    await page.getByRole('button', { name: 'Scale shop' }).click();
    await page.getByRole('textbox', { name: 'Desired tasks' }).fill('2');
    const action = page.getByRole('button', { name: 'Setting…' });
    await expect.element(action).toBeDisabled();
    await expect.element(page.getByRole('form')).toHaveAttribute('aria-busy', 'true');
    await userEvent.keyboard('{Enter}');
    expect(page.getByTestId('acted').element().textContent).toBe('0');
    expect(page.getByRole('alert').query()).toBeNull();

    await screen.rerender({ busy: false, error: denied });
    await expect.element(page.getByRole('button', { name: 'Set desired count' })).toBeEnabled();
    await expect.element(page.getByRole('alert')).toHaveTextContent(/ecs:UpdateService/);
  });

  test('Escape or Cancel closes it and gives the focus back to what opened it', async () => {
    await render(PanelHost);
    const opener = page.getByRole('button', { name: 'Scale shop' });
    await opener.click();
    await page.getByRole('textbox', { name: 'Desired tasks' }).click();
    await userEvent.keyboard('{Escape}');
    await expect.element(page.getByTestId('closed')).toHaveTextContent('1');
    expect(page.getByRole('form').query()).toBeNull();
    await expect.element(opener).toHaveFocus();

    await opener.click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.element(page.getByTestId('closed')).toHaveTextContent('2');
    await expect.element(opener).toHaveFocus();
  });

  test('an Escape a control inside answers itself does not close the panel', async () => {
    await render(PanelHost);
    await page.getByRole('button', { name: 'Scale shop' }).click();
    await page.getByRole('button', { name: 'Keep running' }).click();
    await userEvent.keyboard('{Escape}');
    await expect.element(page.getByRole('form', { name: 'Scale shop' })).toBeVisible();
    expect(page.getByTestId('closed').element().textContent).toBe('0');
  });

  test('without an action of its own it is a group whose one button closes it', async () => {
    await render(PanelHost, { withAction: false });
    await page.getByRole('button', { name: 'Scale shop' }).click();
    const group = page.getByRole('group', { name: 'Scale shop' });
    await expect.element(group).toBeVisible();
    expect(page.getByRole('form').query()).toBeNull();
    await group.getByRole('button', { name: 'Close' }).click();
    await expect.element(page.getByTestId('closed')).toHaveTextContent('1');
  });
});

describe('FormDialog', () => {
  const denied = { kind: 'accessDenied', params: { action: 'ecr:DeleteRepository' }, details: null } as const;
  const dialog = () => page.getByRole('dialog', { name: 'Delete the repository web?' });

  test('says what happens and that it cannot be undone, with the command; Cancel has the focus and gives it back', async () => {
    await render(FormDialogHost);
    const opener = page.getByRole('button', { name: 'Delete web…' });
    await opener.click();
    await expect.element(dialog()).toHaveAccessibleDescription("3 images go with it. It can't be undone.");
    await expect.element(dialog().getByText('aws ecr delete-repository --repository-name web')).toBeVisible();
    const cancel = dialog().getByRole('button', { name: 'Cancel' });
    await expect.element(cancel).toHaveFocus();
    await cancel.click();
    await expect.element(page.getByTestId('closed')).toHaveTextContent('1');
    expect(dialog().query()).toBeNull();
    await expect.element(opener).toHaveFocus();
    expect(page.getByTestId('acted').element().textContent).toBe('0');
  });

  test('Escape cancels; while busy it does nothing and both buttons are disabled, the action saying what runs', async () => {
    const screen = await render(FormDialogHost, { busy: true });
    await page.getByRole('button', { name: 'Delete web…' }).click();
    await expect.element(dialog().getByRole('button', { name: 'Deleting…' })).toBeDisabled();
    await expect.element(dialog().getByRole('button', { name: 'Cancel' })).toBeDisabled();
    await userEvent.keyboard('{Escape}');
    await expect.element(dialog()).toBeVisible();
    expect(page.getByTestId('closed').element().textContent).toBe('0');

    await screen.rerender({ busy: false });
    await expect.element(dialog().getByRole('button', { name: 'Delete repository' })).toBeEnabled();
    await userEvent.keyboard('{Escape}');
    await expect.element(page.getByTestId('closed')).toHaveTextContent('1');
    expect(dialog().query()).toBeNull();
  });

  test('the error of a try is an alert in the dialog, with what it means', async () => {
    await render(FormDialogHost, { error: denied });
    await page.getByRole('button', { name: 'Delete web…' }).click();
    const alert = dialog().getByRole('alert');
    await expect.element(alert).toHaveTextContent(/Nothing was deleted\./);
    await expect.element(alert).toHaveTextContent(/ecr:DeleteRepository/);
  });

  test('a name to type takes the focus, and the action waits for it', async () => {
    await render(FormDialogHost, { mustType: true });
    await page.getByRole('button', { name: 'Delete web…' }).click();
    const field = dialog().getByRole('textbox', { name: 'Type web to delete it' });
    await expect.element(field).toHaveFocus();
    const action = dialog().getByRole('button', { name: 'Delete repository' });
    await expect.element(action).toBeDisabled();
    await userEvent.keyboard('{Enter}');
    expect(page.getByTestId('acted').element().textContent).toBe('0');
    await field.fill('web');
    await action.click();
    await expect.element(page.getByTestId('acted')).toHaveTextContent('1');
  });
});
