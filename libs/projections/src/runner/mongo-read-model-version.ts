/**
 * The version of the MongoDB read side this release writes and reads (`keys_list_v<n>`, `activity_v<n>`,
 * `key_lookup_v<n>`), and the lowest one it accepts: the collections of an older version lack fields its
 * readers need (v2, issue 15: suspended keys, rotation, expiry warnings, owners of rotated keys), and the guard
 * must never read a suspended key as active from them. A blue/green rebuild builds a higher one beside it.
 */
export const MONGO_READ_MODEL_VERSION = 2;

/** Refuses a version whose collections this release cannot read (see MONGO_READ_MODEL_VERSION). */
export const checkMongoReadModelVersion = (version: number): number => {
  if (!Number.isInteger(version) || version < MONGO_READ_MODEL_VERSION) {
    throw new Error(
      `read model version ${version}: this release needs version ${MONGO_READ_MODEL_VERSION} or higher (KEYGATE_READ_MODEL_VERSION); ` +
        'older collections lack the fields of suspended and rotated keys. Set it and let the projector build the new collections from the log.',
    );
  }
  return version;
};
