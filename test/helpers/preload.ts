// Loaded before every test file (bunfig.toml): stops the private PostgreSQL
// server once after the last file, since bun test fires no process "exit".

import { afterAll } from "bun:test";
import { stopPgServer } from "./pg-server.ts";

afterAll(() => stopPgServer());
