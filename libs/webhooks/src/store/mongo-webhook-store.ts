import { DELIVERY_LOG_SIZE, type DeliveryAttempt, type RetryState, type WebhookEndpoint, type WebhookStore } from './webhook-store.port.js';

export const MONGO_WEBHOOK_ENDPOINTS = 'webhook_endpoints';

/**
 * The part of the mongodb driver's Db this adapter uses, written out: the driver is imported only by the production
 * runtime and the read side's adapters (test/architecture), and the composition roots hand their own `Db` in, which
 * tsc checks against this shape there. Documents are plain objects.
 */
type Doc = Record<string, any>;
export interface MongoCollectionLike {
  createIndex(keys: Record<string, 1 | -1>, options?: { name?: string }): Promise<string>;
  insertOne(doc: Doc): Promise<unknown>;
  findOne(filter: Doc, options?: { projection?: Doc }): Promise<Doc | null>;
  find(filter: Doc, options?: { projection?: Doc; sort?: Record<string, 1 | -1> }): { toArray(): Promise<Doc[]> };
  updateOne(filter: Doc, update: Doc): Promise<{ matchedCount: number }>;
  deleteOne(filter: Doc): Promise<{ deletedCount: number }>;
  countDocuments(filter: Doc): Promise<number>;
}
export interface MongoDbLike {
  collection(name: string): MongoCollectionLike;
}

// The delivery log is an array on the endpoint's document, bounded by $push with $slice: one atomic write per
// attempt, and gone with the endpoint. Lists and the deliverer's work list leave it out.
const WITHOUT_LOG = { projection: { deliveries: 0 } };

const endpointOf = (doc: Doc): WebhookEndpoint => ({
  id: doc._id,
  companyId: doc.companyId,
  url: doc.url,
  secretCiphertext: doc.secretCiphertext,
  createdAt: doc.createdAt,
  createdBy: doc.createdBy,
  cursor: doc.cursor,
  retry: doc.retry ?? null,
  lastDelivery: doc.lastDelivery ?? null,
});

/** The production profile's webhook store: one collection in the read models' database (MONGODB_DATABASE). */
export class MongoWebhookStore implements WebhookStore {
  private readonly endpoints: MongoCollectionLike;

  constructor(db: MongoDbLike) {
    this.endpoints = db.collection(MONGO_WEBHOOK_ENDPOINTS);
  }

  async init(): Promise<void> {
    await this.endpoints.createIndex({ companyId: 1, createdAt: 1 }, { name: 'by_company' });
  }

  async add(endpoint: WebhookEndpoint, maxPerCompany: number): Promise<'added' | 'limit'> {
    const { id, ...rest } = endpoint;
    if ((await this.endpoints.countDocuments({ companyId: endpoint.companyId })) >= maxPerCompany) return 'limit';
    // No transaction: insert, then count. Of endpoints added concurrently past the limit each removes itself, so the
    // count never stays above it (at worst both of two racing for the last place are refused, and one retries).
    await this.endpoints.insertOne({ _id: id, ...rest, leaseOwner: null, leaseUntil: 0, deliveries: [] });
    if ((await this.endpoints.countDocuments({ companyId: endpoint.companyId })) > maxPerCompany) {
      await this.endpoints.deleteOne({ _id: id });
      return 'limit';
    }
    return 'added';
  }

  async list(companyId: string): Promise<WebhookEndpoint[]> {
    return (await this.endpoints.find({ companyId }, { ...WITHOUT_LOG, sort: { createdAt: 1, _id: 1 } }).toArray()).map(endpointOf);
  }

  async get(companyId: string, id: string): Promise<WebhookEndpoint | null> {
    const doc = await this.endpoints.findOne({ _id: id, companyId }, WITHOUT_LOG);
    return doc ? endpointOf(doc) : null;
  }

  async remove(companyId: string, id: string): Promise<boolean> {
    return (await this.endpoints.deleteOne({ _id: id, companyId })).deletedCount > 0;
  }

  async all(): Promise<WebhookEndpoint[]> {
    return (await this.endpoints.find({}, { ...WITHOUT_LOG, sort: { createdAt: 1, _id: 1 } }).toArray()).map(endpointOf);
  }

  async lease(id: string, owner: string, nowMs: number, untilMs: number): Promise<WebhookEndpoint | null> {
    const taken = await this.endpoints.updateOne(
      { _id: id, $or: [{ leaseOwner: null }, { leaseOwner: owner }, { leaseUntil: { $lt: nowMs } }] },
      { $set: { leaseOwner: owner, leaseUntil: untilMs } },
    );
    if (taken.matchedCount === 0) return null;
    const doc = await this.endpoints.findOne({ _id: id, leaseOwner: owner }, WITHOUT_LOG);
    return doc ? endpointOf(doc) : null;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.endpoints.updateOne({ _id: id, leaseOwner: owner }, { $set: { leaseOwner: null, leaseUntil: 0 } });
  }

  async advance(id: string, owner: string, position: number): Promise<boolean> {
    const result = await this.endpoints.updateOne({ _id: id, leaseOwner: owner }, { $max: { cursor: position }, $set: { retry: null } });
    return result.matchedCount > 0;
  }

  async recordAttempt(attempt: DeliveryAttempt, owner: string, retry: RetryState | null): Promise<boolean> {
    const log = { $push: { deliveries: { $each: [attempt], $slice: -DELIVERY_LOG_SIZE } } };
    const held = await this.endpoints.updateOne(
      { _id: attempt.endpointId, leaseOwner: owner },
      attempt.delivered
        ? { ...log, $max: { cursor: attempt.position }, $set: { retry: null, lastDelivery: attempt } }
        : { ...log, $set: { retry, lastDelivery: attempt } },
    );
    if (held.matchedCount > 0) return true;
    // The lease was lost meanwhile: the attempt still reached the receiver, so it is logged (if the endpoint exists).
    await this.endpoints.updateOne({ _id: attempt.endpointId }, log);
    return false;
  }

  async deliveries(endpointId: string, limit: number): Promise<DeliveryAttempt[]> {
    const doc = await this.endpoints.findOne({ _id: endpointId }, { projection: { deliveries: 1 } });
    return ((doc?.deliveries ?? []) as DeliveryAttempt[]).slice(-limit).reverse();
  }
}
