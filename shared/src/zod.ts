import { config, z } from 'zod';

/**
 * SC11: the one way into zod for every schema of this package. zod builds a faster parser for
 * each object schema with `new Function`, after probing whether it may. In the browser the
 * server's Content-Security-Policy allows no `eval`: the probe failed on every load and was
 * reported as a violation (console, a deployment's CSP reports) although zod caught it. There
 * zod goes without the faster parser, as it did under the policy anyway, and skips the probe.
 * Schemas read the setting when they are built, so it is set here, before any of them. The
 * server keeps the faster parser.
 */
if ('document' in globalThis) config({ jitless: true });

export { z };
