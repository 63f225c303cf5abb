// Mounts GraphiQL against this server's /graphql. Tokens go in the Headers tab:
// {"Authorization": "Bearer cst_..."}; GraphiQL keeps them in this browser only.
(function () {
  var PLACEHOLDER = "Bearer <your token>";
  var send = GraphiQL.createFetcher({ url: "/graphql" });
  // Until a real token replaces the placeholder, send no Authorization header, so the
  // schema (docs, autocompletion) still loads for an anonymous browser.
  function fetcher(params, options) {
    var headers = Object.assign({}, (options && options.headers) || {});
    if (headers.Authorization === PLACEHOLDER) delete headers.Authorization;
    return send(params, Object.assign({}, options, { headers: headers }));
  }
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: JSON.stringify({ Authorization: PLACEHOLDER }, null, 2),
      shouldPersistHeaders: true,
      isHeadersEditorEnabled: true,
      defaultQuery: "{\n  viewer {\n    name\n    email\n    role\n    partner { name track }\n  }\n}\n",
    })
  );
})();
