import wabt from "wabt";

let loaded: ReturnType<typeof wabt> | undefined;

/** Assembles WebAssembly text into a module's bytes (for modules a test writes by hand). */
export async function assembleWat(text: string): Promise<Uint8Array> {
  const toolkit = await (loaded ??= wabt());
  const module = toolkit.parseWat("test.wat", text);
  try {
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** A WASI command whose `_start` runs `body` (WebAssembly text), with one page of memory to `maxPages`. */
export function wasiCommand(body: string, { minPages = 1, maxPages }: { minPages?: number; maxPages?: number } = {}) {
  return `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") ${minPages}${maxPages === undefined ? "" : ` ${maxPages}`})
  (func (export "_start") ${body}))`;
}
