// A real OpenID Connect provider for the portal's single sign-on test
// (tests/examples/test_portal_sso.py): oauth2-mock-server on 127.0.0.1, authorization code
// with PKCE, RS256 tokens, JWKS at /jwks. It signs in without a login page.
//
//   node idp.mjs STATE_FILE      prints {"issuer": "http://127.0.0.1:<port>"} once listening
//
// Before signing an ACCESS token it reads STATE_FILE (JSON: {"email", "audience",
// "expiresIn"}), so the test chooses who signs in, for which audience, and for how long.
import { readFileSync } from "node:fs";
import { OAuth2Server } from "oauth2-mock-server";

const stateFile = process.argv[2];
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");

server.service.on("beforeTokenSigning", (token) => {
  // The access token carries `scope` (the ID token does not): it is the one cosell reads.
  if (!("scope" in token.payload)) return;
  const state = JSON.parse(readFileSync(stateFile, "utf8"));
  const now = Math.floor(Date.now() / 1000);
  token.payload.aud = state.audience;
  token.payload.email = state.email;
  token.payload.sub = state.email;
  if (state.expiresIn !== undefined) {
    token.payload.exp = now + state.expiresIn;
    if (state.expiresIn <= 0) {
      token.payload.iat = now + state.expiresIn - 60;
      token.payload.nbf = token.payload.iat;
    }
  }
});

await server.start(0, "127.0.0.1");
// The issuer as the browser and cosell reach it (the library would say "localhost").
server.issuer.url = `http://127.0.0.1:${server.address().port}`;
console.log(JSON.stringify({ issuer: server.issuer.url }));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.stop().then(() => process.exit(0)));
