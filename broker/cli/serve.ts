// `seb serve`: the broker as an HTTP service until SIGINT or SIGTERM.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../core/errors.js';
import { keepServingOnUncaught } from '../server/last-resort.js';
import { ClientRateLimiter } from '../server/rate-limit.js';
import { jsonLogger } from '../server/logger.js';
import { BrokerMetrics } from '../server/metrics.js';
import { createBrokerServer } from '../server/server.js';
import { defaultConfigFor, openBroker } from './broker-setup.js';
import { defineCommand } from './command.js';

export const serve = defineCommand({
  words: ['serve'],
  summary: 'Serve the broker over HTTP: POST /v1/execute, /v1/verify, the record log, /healthz, /metrics, /openapi.json.',
  details: 'Reconciles unfinished executions before it listens. An uncaught error is logged and the server keeps serving. Prints one line `listening URL` once ready; stops cleanly on SIGINT or SIGTERM.',
  flags: {
    config: { type: 'string', value: 'FILE', description: 'broker settings (YAML or JSON); default .seb/local/broker.yaml' },
    target: { type: 'string', value: 'local|FILE', description: 'override the settings\' target' },
    listen: { type: 'string', value: 'HOST:PORT', description: "override the settings' listen address (port 0 picks a free one)" },
  },
  async run(flags) {
    const listen = flags.listen === undefined ? undefined : parseListen(flags.listen);
    const broker = await openBroker(flags.config ?? defaultConfigFor(flags.target), flags.target);
    const logger = jsonLogger({ broker: broker.settings.id });
    const uninstall = keepServingOnUncaught(logger);
    try {
      const reconciled = await broker.reconcile();
      if (reconciled.length > 0) logger.warn('reconciled unfinished executions', { count: reconciled.length });
      const { tls } = broker.settings;
      const server = createBrokerServer({
        broker: broker.broker,
        log: broker.log,
        metrics: new BrokerMetrics(broker.broker),
        logger,
        ...(broker.settings.rateLimit === undefined ? {} : { rateLimiter: new ClientRateLimiter(broker.settings.rateLimit) }),
        ...(tls === undefined
          ? {}
          : { tls: { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ...(tls.clientCa === undefined ? {} : { clientCa: readFileSync(tls.clientCa) }) } }),
      });
      const { host, port } = listen ?? broker.settings.listen;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, resolve);
      });
      const address = server.address() as AddressInfo;
      process.stdout.write(`listening ${tls === undefined ? 'http' : 'https'}://${host}:${address.port}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    } finally {
      uninstall();
      await broker.close();
    }
  },
});

function parseListen(value: string): { host: string; port: number } {
  const m = /^([A-Za-z0-9.:[\]-]+):([0-9]{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (m === null || port > 65535) throw new UsageError(`--listen: expected HOST:PORT, got ${JSON.stringify(value)}`);
  return { host: m[1] as string, port };
}
