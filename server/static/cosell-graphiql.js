// Mounts GraphiQL against this server's /graphql. Tokens go in the Headers tab:
// {"Authorization": "Bearer cst_..."}; GraphiQL keeps them in this browser only.
// Issue 36: GraphiQL opens as a workbench: one tab per example operation of
// schema/workbench/ (served as /graphiql/workbench.json), and the Explorer plugin
// (@graphiql/plugin-explorer) to build queries by ticking fields.
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
  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var VIEWER = "{\n  viewer {\n    name\n    email\n    role\n    regions\n    partner { name track }\n  }\n}\n";

  function render(workbench) {
    var tabs = workbench.map(function (tab) {
      return { query: tab.query, variables: tab.variables };
    });
    var root = ReactDOM.createRoot(document.getElementById("graphiql"));
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultHeaders: JSON.stringify({ Authorization: PLACEHOLDER }, null, 2),
        shouldPersistHeaders: true,
        isHeadersEditorEnabled: true,
        defaultQuery: VIEWER,
        defaultTabs: tabs.length ? tabs : undefined,
        plugins: [explorer],
        visiblePlugin: explorer,
      })
    );
  }

  fetch("/graphiql/workbench.json", { headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : { tabs: [] }; })
    .then(function (body) { render(body.tabs || []); }, function () { render([]); });
})();
