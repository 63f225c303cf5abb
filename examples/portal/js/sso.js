// Single sign-on: OpenID Connect authorization code with PKCE, by oidc-client-ts (npm,
// served from node_modules as its browser build, which defines `window.oidc`; no build step).
// The access token it gets is sent to cosell as `Authorization: Bearer <jwt>`: cosell accepts
// it when its issuer is one of COSELL_JWT_ISSUERS (docs/security.md).

// config.oidc (config.json): {authority, clientId, scope?, label?, extraQueryParams?}
export function ssoEnabled(config) {
  return Boolean(config.oidc && config.oidc.authority && config.oidc.clientId && window.oidc);
}

function manager(config) {
  const { authority, clientId, scope, extraQueryParams } = config.oidc;
  return new window.oidc.UserManager({
    authority,
    client_id: clientId,
    // Back to this very page; the identity provider must list it as a redirect URI.
    redirect_uri: `${location.origin}${location.pathname}`,
    post_logout_redirect_uri: `${location.origin}${location.pathname}`,
    response_type: "code", // with PKCE (S256), always, in oidc-client-ts
    scope: scope || "openid email profile",
    // Some providers (Auth0) issue a JWT access token only for an audience they are asked for.
    extraQueryParams: extraQueryParams || {},
    userStore: new window.oidc.WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new window.oidc.WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    automaticSilentRenew: false,
  });
}

export async function startSignIn(config) {
  await manager(config).signinRedirect();
}

// On the way back from the identity provider (?code=…&state=… or ?error=…): the access
// token, or an Error that says why not. null when this page load is not a redirect back.
export async function finishSignIn(config) {
  const params = new URLSearchParams(location.search);
  if (!params.has("state") || !(params.has("code") || params.has("error"))) return null;
  const clean = new URL(location.href);
  for (const key of ["code", "state", "session_state", "error", "error_description", "iss"]) clean.searchParams.delete(key);
  try {
    const user = await manager(config).signinRedirectCallback();
    return user.access_token;
  } finally {
    history.replaceState(null, "", clean);
  }
}

export async function forget(config) {
  if (ssoEnabled(config)) await manager(config).removeUser();
}
