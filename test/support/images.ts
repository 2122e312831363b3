import { readFileSync } from 'node:fs';

/** The pinned images of infra/images.json: the container suites run what docker-compose.yml runs. */
export const IMAGES = JSON.parse(readFileSync(new URL('../../infra/images.json', import.meta.url), 'utf8')) as {
  kurrentdb: string;
  mongodb: string;
};
