// Test-only preload (NODE_OPTIONS=--import): answers lookups of the names in FAKE_DNS_HOSTS
// ("name=address,name=address") with those addresses, as a hostile DNS server would, and leaves
// every other name to the real resolver. Production never loads it.
import dnsPromises from 'node:dns/promises';
import { syncBuiltinESMExports } from 'node:module';

const hosts = new Map(
  (process.env.FAKE_DNS_HOSTS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => entry.split('=')),
);
const realLookup = dnsPromises.lookup;
dnsPromises.lookup = async (hostname, options) => {
  const address = hosts.get(hostname);
  if (address === undefined) return realLookup(hostname, options);
  const answer = { address, family: address.includes(':') ? 6 : 4 };
  return options && typeof options === 'object' && options.all ? [answer] : answer;
};
syncBuiltinESMExports();
