import type { KeygateConfig } from '#config';
import type { KeygateRuntime, RuntimeOverrides } from './keygate-runtime.js';

/**
 * The runtime of the profile KEYGATE_STORE selects; an API process in both. Each profile is imported only when
 * chosen: the embedded profile never loads the KurrentDB client or the mongodb driver.
 */
export const createRuntime = async (config: KeygateConfig, overrides: RuntimeOverrides = {}): Promise<KeygateRuntime> => {
  if (config.store === 'kurrent') {
    const { createProductionRuntime } = await import('./production-runtime.js');
    return createProductionRuntime(config, 'api', overrides);
  }
  const { createEmbeddedRuntime } = await import('./embedded-runtime.js');
  return createEmbeddedRuntime(config, overrides);
};
