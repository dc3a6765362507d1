// A real OpenID provider for the sign-in tests: node-oidc-provider with its development
// interactions (a login form where any login name signs in, then a consent button), on
// http://127.0.0.1 only. Usage: node provider.mjs CONFIG.json, where the file holds
//   {"port": 0, "client": {"client_id", "client_secret", "redirect_uris",
//    "post_logout_redirect_uris"}, "accounts": {"login": {"email", "email_verified"}},
//    "jwks": {"keys": [private JWKs]}}
// It prints "listening <issuer>" once it accepts connections.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};

const server = http.createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client.client_id,
      client_secret: config.client.client_secret,
      redirect_uris: config.client.redirect_uris,
      post_logout_redirect_uris: config.client.post_logout_redirect_uris || [],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: config.jwks,
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    pkce: { required: () => true },
    // The address goes in the ID token itself, as the providers staff use (Entra ID, Google)
    // put it there; the service reads no userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    // The dev login accepts any name; a name in `accounts` gets its claims, any other an
    // address nobody at the organizer has.
    async findAccount(_ctx, sub) {
      const claims = accounts[sub] || { email: `${sub}@unknown.invalid`, email_verified: true };
      return { accountId: sub, async claims() { return { sub, ...claims }; } };
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
