import { benchLedger } from './ledger.js';

const args = process.argv.slice(2);
const target = args.find((a) => !a.startsWith('-'));
const quick = args.includes('--quick');

if (target === 'ledger') {
  await benchLedger(quick);
} else {
  process.stderr.write('usage: npm run bench -- ledger [--quick]\n');
  process.exitCode = 2;
}
