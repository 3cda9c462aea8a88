// Signs the access tokens the provider would never issue (expired, from
// another issuer, for another audience) and those nobody published the key
// of, so that the server's tests can show it refuses each:
//
//   node mint.mjs KEYFILE [--foreign] [--kid KID]  < claims.json
//
// prints a compact JWS (RS256, `typ: at+jwt`) of the JSON object of claims
// on standard input, signed with the first key of the private JWKS in
// KEYFILE (the provider's current key) and its `kid`. With --foreign, it is
// signed with a new key that is never published, under the provider's `kid`
// (a forgery naming the real key) unless --kid names another.
// Only node's own crypto: no package needed.

import { readFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';

const [keyFile, ...flags] = process.argv.slice(2);
if (!keyFile) {
  console.error('usage: node mint.mjs KEYFILE [--foreign] [--kid KID] < claims.json');
  process.exit(2);
}
const foreign = flags.includes('--foreign');
const kidAt = flags.indexOf('--kid');
const askedKid = kidAt >= 0 ? flags[kidAt + 1] : undefined;
if (kidAt >= 0 && askedKid === undefined) {
  console.error('mint.mjs: --kid needs a value');
  process.exit(2);
}

const [published] = JSON.parse(readFileSync(keyFile, 'utf8')).keys;
const key = foreign
  ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  : createPrivateKey({ key: published, format: 'jwk' });
const kid = askedKid ?? published.kid;

const claims = JSON.parse(readFileSync(0, 'utf8'));
const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const input = `${part({ alg: 'RS256', typ: 'at+jwt', kid })}.${part(claims)}`;
const signature = sign('sha256', Buffer.from(input), key).toString('base64url');
process.stdout.write(`${input}.${signature}\n`);
