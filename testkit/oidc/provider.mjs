// A real OpenID provider (npm `oidc-provider`, as scripts/setup.sh pins it
// in the tools folder) for the tests of "Sign in with your organization":
// testkit/src/oidc.rs starts it as a child process and configures it with
// these environment variables (the client's secret is in a file, never in
// the environment, which `ps e` shows):
//
//   OIDC_NODE_MODULES        the tools folder's node_modules (ESM ignores NODE_PATH)
//   OIDC_PORT                the loopback port; the issuer is http://127.0.0.1:PORT
//   OIDC_KEYS_FILE           the private signing JWKS; made with one RSA key when missing
//   OIDC_ROTATE              when "1": a new key first, the previous first key second
//   OIDC_CLIENT_ID           the confidential client (the server under test)
//   OIDC_CLIENT_SECRET_FILE  its secret (client_secret_basic)
//   OIDC_REDIRECT_URI        its one redirect URI
//   OIDC_PORTAL_REDIRECT_URI the public client `portal`'s redirect URI
//   OIDC_AUDIENCE            the server's resource indicator, also its tokens' `aud`
//   OIDC_STOP_ON_TOKEN_FILE  when this file exists, a token request ends the process
//
// Its own login and consent pages (devInteractions) take any login and any
// password; the login is the account's id.

import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const need = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
};

// An ES module, so imported from the path require() resolves it to.
const require = createRequire(join(need('OIDC_NODE_MODULES'), 'noop.js'));
const { default: Provider, errors } = await import(
  pathToFileURL(require.resolve('oidc-provider')).href
);

const port = Number(need('OIDC_PORT'));
const issuer = `http://127.0.0.1:${port}`;
const audience = need('OIDC_AUDIENCE');
const OTHER_AUDIENCE = 'https://other.example';
const stopFile = process.env.OIDC_STOP_ON_TOKEN_FILE;

// A private RSA JWK for RS256 with a random kid.
function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(12).toString('base64url'),
    alg: 'RS256',
    use: 'sig',
  };
}

// The signing keys: the file's, or a new one; with OIDC_ROTATE, a new one
// before the file's first (the key that signed until now, still published
// so that tokens it signed verify until they expire).
function signingKeys() {
  const file = need('OIDC_KEYS_FILE');
  let keys = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).keys : [];
  if (keys.length === 0) {
    keys = [newKey()];
  } else if (process.env.OIDC_ROTATE === '1') {
    keys = [newKey(), keys[0]];
  } else {
    return { keys };
  }
  const partial = `${file}.partial`;
  writeFileSync(partial, JSON.stringify({ keys }), { mode: 0o600 });
  renameSync(partial, file);
  return { keys };
}

const email = (login) => (login.includes('@') ? login : `${login}@example.test`);

const configuration = {
  clients: [
    {
      client_id: need('OIDC_CLIENT_ID'),
      client_secret: readFileSync(need('OIDC_CLIENT_SECRET_FILE'), 'utf8').trim(),
      redirect_uris: [need('OIDC_REDIRECT_URI')],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'portal',
      redirect_uris: [need('OIDC_PORTAL_REDIRECT_URI')],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
  ],
  jwks: signingKeys(),
  // Any login the dev login page is given is an account.
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id, email: email(id), email_verified: true, name: id,
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  scopes: ['openid', 'email', 'profile'],
  // JWT access tokens say who they are for, as the ID token would.
  async extraTokenClaims(ctx, token) {
    if (token.kind === 'AccessToken' && token.accountId) {
      return { email: email(token.accountId) };
    }
    return undefined;
  },
  // A portal in the browser may exchange its code itself, from the origin
  // it returns to; nobody else may call the provider from a page.
  clientBasedCORS(ctx, origin, client) {
    return client.clientId === 'portal'
      && origin === new URL(need('OIDC_PORTAL_REDIRECT_URI')).origin;
  },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // No resource at the authorization endpoint: none (the server's
      // sign-in asks for an ID token and userinfo only). At the token
      // endpoint, the one resource the code was granted for.
      async defaultResource(ctx, client, oneOf) {
        if (oneOf) return oneOf.length === 1 ? oneOf[0] : oneOf;
        return undefined;
      },
      // The portal's token request names no resource: a JWT for the one
      // it was granted, even with scope openid (else a userinfo token).
      async useGrantedResource() {
        return true;
      },
      async getResourceServerInfo(ctx, resource) {
        if (resource !== audience && resource !== OTHER_AUDIENCE) {
          throw new errors.InvalidTarget();
        }
        return {
          scope: 'api',
          audience: resource,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  // Chromium refuses SameSite=None cookies that are not Secure, and these
  // are sent over plain http.
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    long: { httpOnly: true, sameSite: 'lax' },
    short: { httpOnly: true, sameSite: 'lax' },
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 600,
    IdToken: 600,
    Interaction: 3600,
    Session: 3600,
    Grant: 3600,
  },
};

const provider = new Provider(issuer, configuration);

// The provider going away between the user's sign-in and the server's code
// exchange: the request is never answered.
provider.use(async (ctx, next) => {
  if (stopFile && ctx.path === '/token' && existsSync(stopFile)) {
    console.log('token request with the stop file present: exiting');
    process.exit(3);
  }
  await next();
});

// Browsers ask every page's origin for an icon; the provider has none, and
// a 404 would be an error in the browser tests' console.
provider.use(async (ctx, next) => {
  if (ctx.path === '/favicon.ico') {
    ctx.status = 204;
    return;
  }
  await next();
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
