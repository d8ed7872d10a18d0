"""The demo world behind `make demo`: real pairing regions and county statuses, invented
cooperatives, households, people, products, orders and pages. Loaded by the
`load_demo_world` command; installed only by the local and test settings, never in
production, and nothing outside this package and the tests imports it."""
