"""The base every other package stands on: errors and their wording (`errors`, `strings`),
caches (`cache`), reading and writing files without following links (`files`), YAML (`yamlio`)
and the packaged curriculum and templates (`resources`). Nothing here imports another imr package."""
