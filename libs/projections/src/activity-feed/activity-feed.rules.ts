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
