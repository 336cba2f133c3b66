/**
 * "Contact updated on another device" (DESIGN 5.5): one notification per pull that overwrote or
 * brought entities from another device; many changes make one aggregated notification.
 */
import type { RemoteChange, RemoteChangeNotification } from './types.js';

const NOUNS: Record<string, [string, string]> = {
  contact: ['Contact', 'contacts'],
  note: ['Note', 'notes'],
  task: ['Task', 'tasks'],
  interaction: ['Interaction', 'interactions'],
  folder: ['Folder', 'folders'],
  group: ['Group', 'groups'],
  project: ['Project', 'projects'],
  pipeline: ['Pipeline', 'pipelines'],
};

/** The notification for the changes one sync brought, or null when there are none. */
export function notificationOf(changes: RemoteChange[]): RemoteChangeNotification | null {
  // An entity changed by both pulls of one step counts once, in its latest state.
  const latest = new Map<string, RemoteChange>();
  for (const c of changes) latest.set(`${c.entityType}/${c.entityId}`, c);
  const list = [...latest.values()];
  if (list.length === 0) return null;
  if (list.length === 1) {
    const c = list[0]!;
    const noun = NOUNS[c.entityType]?.[0] ?? 'Item';
    return { message: `${noun} ${c.archived ? 'deleted' : 'updated'} on another device`, changes: list, aggregated: false };
  }
  const types = new Set(list.map((c) => c.entityType));
  const noun = types.size === 1 ? NOUNS[list[0]!.entityType]?.[1] ?? 'items' : 'items';
  return { message: `${list.length.toLocaleString('en-US')} ${noun} updated on another device`, changes: list, aggregated: true };
}
