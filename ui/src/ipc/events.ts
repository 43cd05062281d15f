// The one app event the window listens to: the tray menu asks to open a service's card.
import { listen } from '@tauri-apps/api/event';

/** Calls `handler` each time the tray's menu opens a service; returns the way to stop. */
export function onOpenService(handler: (cluster: string, service: string) => void): () => void {
  const stop = listen<{ cluster: string; service: string }>('open-service', (event) =>
    handler(event.payload.cluster, event.payload.service),
  ).catch(() => null);
  return () => void stop.then((unlisten) => unlisten?.());
}
