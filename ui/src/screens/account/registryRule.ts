// The rule of the registry override (Account → Advanced), checked as the user types so a wrong
// address is named at once. The TypeScript twin of `registry_rule` in
// src-tauri/core/src/wizard/account.rs (which checks again when the settings are saved); both
// are tested against the same table, registry-cases.json.

// A host name's labels: letters, digits and inner hyphens, separated by single dots.
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;

/** The broken rule of a registry address (`scheme`, `port`, `format`), or null when it is fine or empty. */
export function registryRule(value: string): 'scheme' | 'port' | 'format' | null {
  const address = value.trim();
  if (address === '') return null;
  if (address.includes('://')) return 'scheme';
  if (/[/ ]/.test(address)) return 'format';
  const colon = address.lastIndexOf(':');
  // No port: `localhost`, `127.0.0.1` (an IPv6 address's own colons sit inside brackets).
  const hasPort = colon !== -1 && !address.slice(colon).includes(']');
  const host = hasPort ? address.slice(0, colon) : address;
  if (!HOST_NAME.test(host) && !IPV6.test(host)) return 'format';
  if (!hasPort) return 'port';
  const port = address.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return 'port';
  return null;
}
