#!/usr/bin/env node
// The `starminer` command: runs the TypeScript CLI through tsx's loader.
import { register } from "tsx/esm/api";

register();
await import("../scripts/cli/main.ts");
