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

// How a document travels to the API; the one place to change when the server keeps
// registered documents (`cosell documents add documents/*.graphql`, issue 17): send
//   {operationName: name, variables, extensions: {persistedQuery: {version: 1, sha256Hash: await sha256(text)}}}
// (the Apollo APQ protocol) instead of the text.
async function requestBody(name, text, variables) {
  return { query: text, operationName: name, variables };
}

export async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
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

  // The operation's data; top-level errors (UNAUTHENTICATED, FORBIDDEN, …) throw ApiError.
  async run(name, variables = {}) {
    const body = await requestBody(name, await documentText(name), variables);
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
    const result = await response.json().catch(() => ({}));
    if (result.errors && result.errors.length) {
      const first = result.errors[0];
      throw new ApiError(first.message, (first.extensions && first.extensions.code) || `HTTP_${response.status}`);
    }
    if (!response.ok) throw new ApiError(`The API answered ${response.status}.`, `HTTP_${response.status}`);
    return result.data;
  }
}
