// Berth's UI kit: what every screen writes and shows the same way. Screens import from here.
export { default as Callout } from './Callout.svelte';
export { default as ChoiceCard } from './ChoiceCard.svelte';
export { default as CopyButton } from './CopyButton.svelte';
export { default as FormDialog } from './FormDialog.svelte';
export { default as FormPanel } from './FormPanel.svelte';
export { default as ModalDialog } from './ModalDialog.svelte';
export { default as PageHeader } from './PageHeader.svelte';
export { default as Spinner } from './Spinner.svelte';
export { default as SuggestedName } from './SuggestedName.svelte';
export { Attempt } from './attempt.svelte';
export { copyText } from './clipboard';
export {
  approxMoney,
  formatBytes,
  formatCount,
  formatDate,
  formatDateTime,
  formatDuration,
  formatIsoDate,
  formatMoney,
  formatNumber,
  formatPercent,
  formatRelative,
  formatSpeed,
  formatTime,
  type MoneyPrecision,
} from './format';
export { Latest, Requests, type Loaded, type Reply, type Ticket } from './latest.svelte';
export { bringIntoView, scrollPane, scrollPaneToTop } from './scroll';
