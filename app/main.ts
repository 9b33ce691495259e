import { ConfigError, parseConfig } from './config.ts';
import { startKefu } from './compose.ts';
import { fixHeapGrowth } from './heap-growth.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  fixHeapGrowth(config.heapGrowthPercent);
  const kefu = await startKefu(config);
  if (kefu.server) process.stdout.write(`  Kefu console: ${kefu.url}/  (role: ${config.role})\n`);
  else process.stdout.write(`  Kefu ${config.role} started\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Open sockets and in-flight jobs get a few seconds; then the process leaves regardless.
    setTimeout(() => process.exit(0), 8_000).unref();
    await kefu.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`Kefu failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
