// Mounts GraphiQL against this server's /graphql. Tokens go in the Headers tab:
// {"Authorization": "Bearer cst_..."}; GraphiQL keeps them in this browser only.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: JSON.stringify({ Authorization: "Bearer <your token>" }, null, 2),
      shouldPersistHeaders: true,
      isHeadersEditorEnabled: true,
      defaultQuery: "{\n  viewer {\n    name\n    email\n    role\n    partner { name track }\n  }\n}\n",
    })
  );
})();
