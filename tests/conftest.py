pytest_plugins = ["server.testing"]
