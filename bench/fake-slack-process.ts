import { startFakeSlack } from '../test/support/fake-slack.js';

/** The fake Slack in a process of its own, so that a load generator's timings do not include its work. */
const fake = await startFakeSlack({ botToken: process.argv[2] ?? 'xoxb-bench' });
process.stdout.write(`${fake.url}\n`);
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
