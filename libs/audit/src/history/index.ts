// A company's keys at an instant and one key's story, computed from the event log alone (issue 13, "Auditors").
export { keysAt, type KeyAtInstant, type Person, type PersonAt } from './keys-at.js';
export { timelineOf, type TimelineEntry, type UsedEntry, type UseOutcomes } from './timeline.js';
export {
  readCompanyHistory,
  readKeyHistory,
  findKeyCompany,
  describeWarning,
  WITHHELD_VERIFIER,
  type CompanyHistory,
  type KeyHistory,
  type HistoryWarning,
} from './read-history.js';
export { companyStreams, usageStreamOf } from './company-streams.js';
export { parseInstant, INSTANT_FORMAT } from './instant.js';
export { keysAtTable, timelineLines, alignedRows } from './history-text.js';
export { printable } from './printable.js';
