#!/usr/bin/env node
// Runs the TypeScript entry point through tsx (Node 20 cannot load .ts by itself).
import { register } from "tsx/esm/api"

register()
await import("../src/bin.ts")
