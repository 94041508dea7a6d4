/**
 * The node flags a replica and the API run with, wherever the launcher starts them (tests, the
 * CLI, benchmarks; the Dockerfile's CMD repeats the replica's for containers). Each one is here
 * for a measured figure (bench/RESULTS.md, "The bulk paths", Batches).
 */

/**
 * A replica's young generation fixed at 16 MB (V8 starts at 1 MB and a replica's shrank back
 * there): the record batches a replica allocates each commit cycle then die young, and its
 * external-memory Mark-Compacts (one every 150-300 ms on a leader in the batch case) nearly
 * vanish. Interleaved batch-cycle pairs: leader CPU per message -25 to -42%, followers -8 to -30%.
 */
export const REPLICA_NODE_ARGS: readonly string[] = ['--min-semi-space-size=16'];
export const API_NODE_ARGS: readonly string[] = [];
