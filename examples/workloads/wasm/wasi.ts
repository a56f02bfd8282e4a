// The few WASI (preview 1) calls StarMiner's example programs use, declared for AssemblyScript. A StarMiner WASM
// job sees its input files in the directory preopened as file descriptor 3 (`/in`) and writes its output files in
// the one preopened as 4 (`/out`).

@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLength: usize, written: usize): u16;
@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovsLength: usize, read: usize): u16;
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): u16;
@external("wasi_snapshot_preview1", "path_open")
declare function path_open(
  directory: u32,
  lookupFlags: u32,
  path: usize,
  pathLength: usize,
  openFlags: u16,
  rightsBase: u64,
  rightsInheriting: u64,
  fdFlags: u16,
  opened: usize,
): u16;
@external("wasi_snapshot_preview1", "args_sizes_get")
declare function args_sizes_get(count: usize, bufferSize: usize): u16;
@external("wasi_snapshot_preview1", "args_get")
declare function args_get(argv: usize, buffer: usize): u16;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;

export const IN_DIRECTORY: u32 = 3;
export const OUT_DIRECTORY: u32 = 4;
const STDOUT: u32 = 1;
const STDERR: u32 = 2;
const CREATE_AND_TRUNCATE: u16 = 1 | 8;
const READ_RIGHTS: u64 = (1 << 1) | (1 << 2); // fd_read, fd_seek
const WRITE_RIGHTS: u64 = (1 << 6) | (1 << 2); // fd_write, fd_seek

/** Exits the program with `code`. */
export function exit(code: u32): void {
  proc_exit(code);
}

/** The program's arguments, without its name. */
export function args(): string[] {
  const sizes = memory.data(8);
  args_sizes_get(sizes, sizes + 4);
  const count = load<u32>(sizes);
  const pointers = new ArrayBuffer(count * 4);
  const buffer = new ArrayBuffer(load<u32>(sizes + 4));
  args_get(changetype<usize>(pointers), changetype<usize>(buffer));
  const out = new Array<string>();
  for (let i: u32 = 1; i < count; i++) {
    const start = load<u32>(changetype<usize>(pointers) + i * 4);
    let end = start;
    while (load<u8>(end) != 0) end++;
    out.push(String.UTF8.decodeUnsafe(start, end - start));
  }
  return out;
}

function writeAll(fd: u32, text: string): void {
  const bytes = String.UTF8.encode(text);
  const iov = memory.data(16);
  store<u32>(iov, changetype<usize>(bytes));
  store<u32>(iov, bytes.byteLength, 4);
  if (fd_write(fd, iov, 1, iov + 8) != 0) fail("a write failed");
}

export function print(text: string): void {
  writeAll(STDOUT, text);
}

/** Writes `message` to stderr and exits with code 1. */
export function fail(message: string): void {
  writeAll(STDERR, message + "\n");
  proc_exit(1);
}

/** Reads a whole file from the input directory as UTF-8. */
export function readInput(name: string): string {
  const fd = open(IN_DIRECTORY, name, 0);
  const chunk = new ArrayBuffer(65536);
  const iov = memory.data(16);
  let text = "";
  while (true) {
    store<u32>(iov, changetype<usize>(chunk));
    store<u32>(iov, chunk.byteLength, 4);
    if (fd_read(fd, iov, 1, iov + 8) != 0) fail("cannot read in/" + name);
    const read = load<u32>(iov + 8);
    if (read == 0) break;
    text += String.UTF8.decodeUnsafe(changetype<usize>(chunk), read);
  }
  fd_close(fd);
  return text;
}

/** Writes `text` to a file in the output directory. */
export function writeOutput(name: string, text: string): void {
  const fd = open(OUT_DIRECTORY, name, CREATE_AND_TRUNCATE);
  writeAll(fd, text);
  fd_close(fd);
}

function open(directory: u32, name: string, flags: u16): u32 {
  const path = String.UTF8.encode(name);
  const opened = memory.data(4);
  const status = path_open(directory, 0, changetype<usize>(path), path.byteLength, flags, flags == 0 ? READ_RIGHTS : WRITE_RIGHTS, 0, 0, opened);
  if (status != 0) fail("cannot open " + name + " (WASI error " + status.toString() + ")");
  return load<u32>(opened);
}

/** Called by AssemblyScript's runtime on a failed assertion or bounds check. */
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  writeAll(STDERR, "abort: " + (message ? message : "") + " at " + (file ? file : "") + ":" + line.toString() + "\n");
  proc_exit(134);
}
