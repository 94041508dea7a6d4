/**
 * The node flags a replica and the API run with, wherever the launcher starts them (tests, the
 * CLI, benchmarks; docker-compose.yml repeats them for containers). Empty until a flag earns
 * its place with a measured figure (bench/RESULTS.md, "The bulk paths").
 */
export const REPLICA_NODE_ARGS: readonly string[] = [];
export const API_NODE_ARGS: readonly string[] = [];
