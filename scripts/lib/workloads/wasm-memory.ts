import { WorkloadError } from "@starminer/sdk";

/**
 * Bounds a WebAssembly module's memory by rewriting its binary: the maximum of the memory the module defines
 * becomes at most `maxPages` (64 KiB each), so `memory.grow` past the job's limit returns -1 inside the program, the
 * same way on every provider. A module that starts with more than the limit, imports its memory, or uses shared or
 * 64-bit memory is refused with `memory-limit` or `model-load`: its footprint could not be bounded the same way.
 *
 * The binary format: an 8-byte header, then sections (id byte, LEB128 size, content). The memory section (id 5) is
 * a vector of limits: flag 0 = minimum only, flag 1 = minimum and maximum (both LEB128 u32).
 */
export function boundWasmMemory(module: Uint8Array, maxPages: number): Uint8Array {
  if (module.length < 8 || module[0] !== 0x00 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d) {
    throw new WorkloadError("model-load", "the module is not WebAssembly (no \\0asm header)");
  }
  const parts: Uint8Array[] = [module.subarray(0, 8)];
  let offset = 8;
  let sawMemory = false;
  while (offset < module.length) {
    const id = module[offset]!;
    const size = readU32(module, offset + 1);
    const contentStart = size.next;
    const contentEnd = contentStart + size.value;
    if (contentEnd > module.length) throw new WorkloadError("model-load", "the module is truncated");
    if (id === 2) refuseImportedMemory(module.subarray(contentStart, contentEnd));
    if (id === 5) {
      sawMemory = true;
      const content = boundMemorySection(module.subarray(contentStart, contentEnd), maxPages);
      parts.push(Uint8Array.of(5), writeU32(content.length), content);
    } else {
      parts.push(module.subarray(offset, contentEnd));
    }
    offset = contentEnd;
  }
  if (!sawMemory) return module;
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function boundMemorySection(content: Uint8Array, maxPages: number): Uint8Array {
  const count = readU32(content, 0);
  const out: number[] = [...writeU32(count.value)];
  let offset = count.next;
  for (let i = 0; i < count.value; i++) {
    const flag = content[offset];
    if (flag !== 0 && flag !== 1) {
      throw new WorkloadError(
        "model-load",
        `the module's memory ${i} is shared or 64-bit (flag ${flag}): not supported`,
      );
    }
    const minimum = readU32(content, offset + 1);
    offset = minimum.next;
    let maximum = maxPages;
    if (flag === 1) {
      const declared = readU32(content, offset);
      offset = declared.next;
      maximum = Math.min(declared.value, maxPages);
    }
    if (minimum.value > maxPages) {
      throw new WorkloadError(
        "memory-limit",
        `the module starts with ${minimum.value} memory pages (64 KiB each); the job's limit allows ${maxPages}`,
      );
    }
    out.push(1, ...writeU32(minimum.value), ...writeU32(maximum));
  }
  return Uint8Array.from(out);
}

/** Walks the import section and refuses a memory import (kind 2), whose size the host would have to choose. */
function refuseImportedMemory(content: Uint8Array): void {
  const count = readU32(content, 0);
  let offset = count.next;
  const skipName = () => {
    const length = readU32(content, offset);
    offset = length.next + length.value;
  };
  for (let i = 0; i < count.value; i++) {
    skipName();
    skipName();
    const kind = content[offset++];
    if (kind === 0)
      offset = readU32(content, offset).next; // function: type index
    else if (kind === 1) {
      const flag = content[offset + 1];
      offset = readU32(content, offset + 2).next;
      if (flag === 1) offset = readU32(content, offset).next;
    } else if (kind === 2) {
      throw new WorkloadError("model-load", "the module imports its memory: a job's module must define its own");
    } else if (kind === 3)
      offset += 2; // global: value type, mutability
    else if (kind === 4)
      offset = readU32(content, offset + 1).next; // tag: attribute, type index
    else throw new WorkloadError("model-load", `the module has an import of unknown kind ${kind}`);
  }
}

function readU32(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (let offset = start; offset < bytes.length && shift < 35; offset++) {
    const byte = bytes[offset]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: offset + 1 };
    shift += 7;
  }
  throw new WorkloadError("model-load", "the module is malformed (a length runs past its end)");
}

function writeU32(value: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Uint8Array.from(out);
}
