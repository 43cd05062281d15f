// How a Fargate task's size and id read on every page: the Launch form, the plan, the cost and
// the Deployments view write "0.25 vCPU · 0.5 GB" the same way.
import { formatNumber } from '../kit/format';
import { t } from './i18n/index.svelte';

/** ECS CPU units as vCPU: 256 → "0.25". */
export function vcpu(units: number): string {
  return formatNumber(units / 1024);
}

/** Task memory (MiB) as Fargate's GB: 512 → "0.5", 2048 → "2". */
export function gb(mib: number): string {
  return formatNumber(mib / 1024);
}

/** "0.25 vCPU" (or "—" when not known). */
export function cpuLabel(units: number | null): string {
  return units === null ? '—' : t('ecs.size.vcpu', { value: vcpu(units) });
}

/** "0.5 GB" (or "—" when not known). */
export function memoryLabel(mib: number | null): string {
  return mib === null ? '—' : t('ecs.size.gb', { value: gb(mib) });
}

export function archLabel(arch: string): string {
  return arch === 'ARM64' ? t('ecs.size.arm64') : t('ecs.size.x86');
}

/** "0.25 vCPU · 0.5 GB · x86-64". */
export function sizeLabel(cpu: number | null, memory: number | null, arch: string): string {
  return [cpuLabel(cpu), memoryLabel(memory), archLabel(arch)].join(' · ');
}

/** The first eight characters of a task id, as people say them. */
export function shortTaskId(id: string): string {
  return id.slice(0, 8);
}
