// How the Deployments view writes sizes, money and durations.
import { language, t } from '../../lib/i18n/index.svelte';

/** US dollars; small hourly figures keep enough digits to mean something. */
export function usd(amount: number): string {
  const digits = amount !== 0 && Math.abs(amount) < 0.1 ? 4 : 2;
  return new Intl.NumberFormat(language(), {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amount);
}

/** ECS CPU units as vCPU: 256 → "0.25 vCPU". */
export function cpuLabel(units: number | null): string {
  if (units === null) return '—';
  return t('deployments.size.vcpu', { value: new Intl.NumberFormat(language()).format(units / 1024) });
}

/** MiB as the console writes task memory: 512 → "512 MiB", 2048 → "2 GB". */
export function memoryLabel(mib: number | null): string {
  if (mib === null) return '—';
  if (mib >= 1024) return t('deployments.size.gb', { value: new Intl.NumberFormat(language()).format(mib / 1024) });
  return t('deployments.size.mib', { value: mib });
}

export function archLabel(arch: string): string {
  return arch === 'ARM64' ? t('deployments.size.arm64') : t('deployments.size.x86');
}

/** "0.25 vCPU · 512 MiB · x86-64". */
export function sizeLabel(cpu: number | null, memory: number | null, arch: string): string {
  return [cpuLabel(cpu), memoryLabel(memory), archLabel(arch)].join(' · ');
}

/** A duration in the two largest units: "3 d 4 h", "2 h 5 min", "45 s". */
export function durationLabel(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return t('deployments.duration.daysHours', { d, h });
  if (h > 0) return t('deployments.duration.hoursMinutes', { h, m });
  if (m > 0) return t('deployments.duration.minutes', { m });
  return t('deployments.duration.seconds', { s });
}

/** The first eight characters of a task id, as people say them. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
