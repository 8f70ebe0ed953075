import { benchLedger } from './ledger.js';
import { benchMetering } from './metering.js';

const args = process.argv.slice(2);
const target = args.find((a) => !a.startsWith('-'));
const quick = args.includes('--quick');

if (target === 'ledger') {
  await benchLedger(quick);
} else if (target === 'metering') {
  await benchMetering(quick);
} else {
  process.stderr.write('usage: npm run bench -- ledger|metering [--quick]\n');
  process.exitCode = 2;
}
