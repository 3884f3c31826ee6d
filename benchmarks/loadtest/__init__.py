"""The load benchmark (issue 12): the production server on the benchmark data set, signed-in users of mixed roles
clicking through every page and API list, driven by locust. `benchmarks/load` runs it; see benchmarks/README.md.

- `accounts`: the benchmark's users, created with the project's own services, and what each of them may open;
- `pages`: the weighted mix of pages and API lists, as paths (no Django needed to build them);
- `locustfile`: the simulated users;
- `__main__`: set-up, the server, locust, and the report."""
