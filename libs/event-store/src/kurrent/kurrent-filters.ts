import { eventTypeFilter, streamNameFilter, type Filter } from '@kurrent/kurrentdb-client';

/**
 * The server-side filter for reads and subscriptions of $all. The server matches a regex unanchored (.NET Regex
 * IsMatch) and a prefix list by prefix, so exact event types need an anchored alternation of escaped names; without
 * types, the filter drops the $-streams ($settings, $scavenges…: nothing guarantees every event in them has a
 * $-prefixed type). isSystemEvent then drops what one server filter cannot express.
 */
export function serverFilter(eventTypes: readonly string[] | undefined): Filter {
  return eventTypes?.length ? eventTypeFilter({ regex: exactEventTypes(eventTypes) }) : streamNameFilter({ regex: '^[^$]' });
}

/** `^(?:A|B)$` with every regex metacharacter escaped; the same syntax in .NET and JavaScript. */
export function exactEventTypes(eventTypes: readonly string[]): string {
  return `^(?:${eventTypes.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
}

/** KurrentDB's own events: $-prefixed types ($metadata, $>, $statsCollected…) or anything in a $-stream. */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}
