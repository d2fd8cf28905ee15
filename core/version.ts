// kvgate's version, as package.json gives it: `kvgate version` and the build-info metric say it.

import packageJson from '../package.json' with { type: 'json' }

export const VERSION: string = packageJson.version
