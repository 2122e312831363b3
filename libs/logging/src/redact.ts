// Anything shaped like one of our API keys or like a JWT is cut out of logged strings (URLs above all:
// a client may put a key in a query string even though we refuse it there).
const API_KEY = /kg_[0-9A-Za-z]{4,}(?:_[0-9A-Za-z]*)?/g;
const JWT = /eyJ[0-9A-Za-z_-]+\.[0-9A-Za-z_-]+\.[0-9A-Za-z_-]*/g;

export const redactSecrets = (text: string): string =>
  text.replace(API_KEY, (m) => `${m.slice(0, 15)}[REDACTED]`).replace(JWT, '[REDACTED-JWT]');
