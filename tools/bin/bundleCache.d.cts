import type { BuildOptions } from "esbuild";

/** What `buildSync({ ...options, write: false })` writes as its one output file, reused from disk while its inputs are unchanged. */
export function cachedBuildSync(options: BuildOptions & { entryPoints: string[] }, cache?: { dir?: string; maxEntries?: number }): string;
