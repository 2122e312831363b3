import type { RecordedEvent } from '#event-store';
import type { KeyEvent } from '#keys';

/** One sentence a person reads in the activity feed. */
export const activityDetail = (event: KeyEvent, label: string | null): string => {
  const name = label === null ? 'an API key' : `API key "${label}"`;
  switch (event.type) {
    case 'KeyAcknowledged':
      return 'Acknowledged the API key security notice';
    case 'KeyMinted':
      return `Created ${name}, expiring ${event.data.expiresAt}`;
    case 'KeyRevoked':
      return `Revoked ${name}`;
    case 'KeyExpired':
      return `${name[0].toUpperCase()}${name.slice(1)} expired`;
    case 'KeyDeleted':
      return `Deleted ${name}`;
    case 'KeyUsed': {
      const d = event.data;
      const client = d.client.name ? ` from ${d.client.name}${d.client.version ? ` ${d.client.version}` : ''}` : '';
      return `Used ${name}${d.tool ? ` to call ${d.tool}` : ''}${client}: ${d.outcome}`;
    }
  }
};

/** The feed's own record of a key: it keeps one rather than reading another projection, so it can be rebuilt alone. */
export interface ActivityKey {
  label: string | null;
  ownerUserId: string;
}

/**
 * The key's record after this event: the acknowledger reserves the key id, the mint names it. Both are the same
 * user; the first one seen stays the owner. Undefined: the feed knows nothing of the key (yet).
 */
export const activityKeyAfter = (event: KeyEvent, known: ActivityKey | undefined): ActivityKey | undefined => {
  if (event.type === 'KeyAcknowledged') return known ?? { label: null, ownerUserId: event.data.actorUserId };
  if (event.type === 'KeyMinted') return { label: event.data.label, ownerUserId: known?.ownerUserId ?? event.data.actorUserId };
  return known;
};

/** One entry of the feed, attributed to its user; keyed by the event's global position, so a replay is ignored. */
export interface ActivityEntry {
  position: number;
  eventId: string;
  companyId: string;
  type: string;
  keyId: string;
  keyLabel: string | null;
  keyOwnerUserId: string;
  actorUserId: string;
  actorName: string;
  at: string;
  detail: string;
}

/** The entry of an event, with the key's record as it stands after it (activityKeyAfter). */
export const activityEntryOf = (recorded: RecordedEvent, event: KeyEvent, key: ActivityKey | undefined): ActivityEntry => {
  const d = event.data;
  const keyLabel = key?.label ?? null;
  return {
    position: recorded.globalPosition, eventId: recorded.eventId, companyId: d.companyId, type: event.type, keyId: d.keyId,
    keyLabel, keyOwnerUserId: key?.ownerUserId ?? d.actorUserId, actorUserId: d.actorUserId, actorName: d.actorName,
    at: d.at, detail: activityDetail(event, keyLabel),
  };
};
