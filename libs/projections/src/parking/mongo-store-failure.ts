import { MongoError, MongoInvalidArgumentError, MongoServerError } from 'mongodb';

// Server errors that name the document being written, not the server: the event's fault.
const DATA_CODES = new Set([
  2, // BadValue
  9, // FailedToParse
  14, // TypeMismatch
  22, // InvalidBSON
  28, // PathNotViable
  40, // ConflictingUpdateOperators
  52, // DollarPrefixedFieldName
  56, // EmptyFieldName
  57, // DottedFieldName
  121, // DocumentValidationFailure
  10334, // BSONObjectTooLarge
  17280, // KeyTooLong
]);

/**
 * Only these are the event's fault, and park it alone: an error of our own code (a TypeError on a field it did not
 * expect), a value BSON cannot encode (BSONError is not a MongoError), an argument the driver refuses, a document
 * the server refuses for its content. Every other MongoDB error (network, no primary, a closed client or session,
 * a transaction the driver gave up on, any server code not listed) is MongoDB's: the batch is retried from the
 * checkpoint after a backoff, never parked, so a failover cannot make good events look bad.
 */
export const isMongoStoreFailure = (error: unknown): boolean => {
  if (!(error instanceof MongoError)) return false;
  if (error instanceof MongoInvalidArgumentError) return false;
  if (error instanceof MongoServerError && typeof error.code === 'number' && DATA_CODES.has(error.code)) return false;
  return true;
};
