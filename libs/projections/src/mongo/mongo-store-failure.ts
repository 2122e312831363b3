import { MongoAPIError, MongoError, MongoServerError } from 'mongodb';

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
 * Failures of MongoDB itself (network, no primary, a transaction conflict the driver did not retry away, a
 * shutdown): the batch is retried from the checkpoint after a backoff, never parked. A failure of the event
 * being applied (our code's TypeError, a value BSON cannot encode, a document the server refuses for its
 * content, an argument the driver refuses) parks that event alone.
 */
export const isMongoStoreFailure = (error: unknown): boolean => {
  if (!(error instanceof MongoError)) return false;
  if (error instanceof MongoAPIError) return false;
  if (error instanceof MongoServerError && typeof error.code === 'number' && DATA_CODES.has(error.code)) return false;
  return true;
};
