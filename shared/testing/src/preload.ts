/**
 * Loaded before every test file (bunfig.toml). Integration tests start servers and wait on
 * streams: a generous ceiling keeps a wedged test from hanging the run, and says nothing about
 * speed (timings belong in benchmarks).
 */
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(30_000);
