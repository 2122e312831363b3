/**
 * The variable substitution docker compose applies to docker-compose.yml, for the forms this repository
 * uses: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. Lets the test read
 * the file as compose would, with a chosen environment, where no compose CLI is installed.
 */
const REFERENCE = /\$(?:\$|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\{[^}]*\})/g;

export type Env = Record<string, string | undefined>;

export const interpolate = (text: string, env: Env): string =>
  text.replace(REFERENCE, (whole, bare: string | undefined, name: string | undefined, op: string | undefined, arg = '') => {
    if (whole === '$$') return '$';
    if (bare) return env[bare] ?? '';
    if (!name) throw new Error(`unsupported substitution ${whole}`);
    const value = env[name];
    const set = op?.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    if (op === undefined) return value ?? '';
    if (op.endsWith('-')) return set ? value! : arg;
    if (!set) throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return value!;
  });

/** Every string in a parsed compose document, substituted; other values as they are. */
export const interpolateDeep = (value: unknown, env: Env): unknown => {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, env)]));
  }
  return value;
};

/** The names of the variables a compose file substitutes. */
export const referencedVariables = (text: string): Set<string> => {
  const names = new Set<string>();
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1] ?? match[2];
    if (name) names.add(name);
  }
  return names;
};
