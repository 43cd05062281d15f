// Re-exports of the generated bindings, so screens import from one place.
export type { AppInfo } from './bindings/AppInfo';
export type { AwsConfigSummary } from './bindings/AwsConfigSummary';
export type { AwsProfileKind } from './bindings/AwsProfileKind';
export type { AwsProfileSummary } from './bindings/AwsProfileSummary';
export type { BerthError } from './bindings/BerthError';
export type { DockerEngine } from './bindings/DockerEngine';
export type { DockerStatus } from './bindings/DockerStatus';
export type { ErrorKind } from './bindings/ErrorKind';
export type { RegionSource } from './bindings/RegionSource';
