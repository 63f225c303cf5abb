// The portal's only way to the API: named GraphQL documents from ./documents/*.graphql.

const documents = new Map();

async function documentText(name) {
  if (!documents.has(name)) {
    const response = await fetch(new URL(`../documents/${name}.graphql`, import.meta.url));
    if (!response.ok) throw new Error(`document ${name} is missing (${response.status})`);
    documents.set(name, await response.text());
  }
  return documents.get(name);
}

export async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// How a document travels (docs/api.md, "persisted queries"): its SHA-256 in
// `extensions.persistedQuery` (the Apollo APQ protocol), the text only when the server does
// not know the hash yet. With `cosell documents add examples/portal/documents/` the hash is a
// registered trusted document, so the portal also runs where COSELL_TRUSTED_DOCUMENTS_ROLES
// allows partner roles nothing else.
function requestBody(name, text, hash, variables, withText) {
  const body = { operationName: name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
  if (withText) body.query = text;
  return body;
}

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export class Api {
  constructor(url, token) {
    this.url = url;
    this.token = token;
  }

  async post(body) {
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.token}` },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(`The API at ${this.url} cannot be reached.`, "NETWORK");
    }
    return { response, result: await response.json().catch(() => ({})) };
  }

  // The operation's data; top-level errors (UNAUTHENTICATED, FORBIDDEN, …) throw ApiError.
  async run(name, variables = {}) {
    const text = await documentText(name);
    const hash = await sha256(text);
    let { response, result } = await this.post(requestBody(name, text, hash, variables, false));
    const code = (error) => (error && error.extensions && error.extensions.code) || null;
    if (result.errors && code(result.errors[0]) === "PERSISTED_QUERY_NOT_FOUND") {
      ({ response, result } = await this.post(requestBody(name, text, hash, variables, true)));
    }
    if (result.errors && result.errors.length) {
      const first = result.errors[0];
      throw new ApiError(first.message, code(first) || `HTTP_${response.status}`);
    }
    if (!response.ok) throw new ApiError(`The API answered ${response.status}.`, `HTTP_${response.status}`);
    return result.data;
  }
}
