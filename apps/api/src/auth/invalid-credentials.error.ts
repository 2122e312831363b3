/** A token that is not acceptable (401); the message tells the person what to fix and is sent to them. */
export class InvalidCredentialsError extends Error {}
