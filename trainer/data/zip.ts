import { closeSync, openSync, readSync } from "node:fs";
import { InputError } from "./types.ts";

/** Where the single file inside a zip archive starts, and how it is stored. */
export interface ZipEntry {
  name: string;
  /** Byte offset of the entry's data in the archive. */
  dataOffset: number;
  /** 8 = deflate (streamed through inflateRaw, which stops at the end of the entry), 0 = stored. */
  method: 0 | 8;
  /** Stored size (only needed for method 0). */
  size: number;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const got = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, got);
}

/**
 * Locates the one entry of a single-file zip archive (Kaggle ships `train.csv.zip`), so
 * it can be streamed without unpacking. Archives with several files are refused with
 * their names: which one to read is the user's call.
 */
export function zipSingleEntry(file: string, fileSize: number): ZipEntry {
  const fd = openSync(file, "r");
  try {
    // End of central directory: 22 bytes + a comment of up to 64 KiB at the end of the file.
    const tailLen = Math.min(fileSize, 22 + 65535);
    const tail = readAt(fd, fileSize - tailLen, tailLen);
    let eocd = -1;
    for (let p = tail.length - 22; p >= 0; p--) {
      if (tail.readUInt32LE(p) === 0x06054b50) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) throw new InputError("zip archive is truncated or corrupt (no central directory)", file, undefined, "download it again, or unzip it and pass the file inside");
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (entries !== 1 && entries !== 0xffff) {
      const names: string[] = [];
      if (cdOffset !== 0xffffffff && cdSize < 1 << 24) {
        const cd = readAt(fd, cdOffset, cdSize);
        for (let p = 0; p + 46 <= cd.length && names.length < 10 && cd.readUInt32LE(p) === 0x02014b50; ) {
          const n = cd.readUInt16LE(p + 28);
          names.push(cd.toString("utf8", p + 46, p + 46 + n));
          p += 46 + n + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
        }
      }
      throw new InputError(`zip archive holds ${entries} files${names.length ? ` (${names.join(", ")})` : ""}; expected exactly one`, file, undefined,
        "unzip it and pass the file you mean");
    }
    const local = readAt(fd, 0, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new InputError("zip archive does not start with a file entry", file);
    const flags = local.readUInt16LE(6);
    const method = local.readUInt16LE(8);
    const nameLen = local.readUInt16LE(26);
    const extraLen = local.readUInt16LE(28);
    const name = readAt(fd, 30, nameLen).toString("utf8");
    if (flags & 1) throw new InputError(`zip entry ${name} is encrypted`, file, undefined, "unzip it with its password and pass the file inside");
    if (method !== 8 && method !== 0) {
      throw new InputError(`zip entry ${name} uses compression method ${method}; only deflate and stored are read directly`, file, undefined, "unzip it and pass the file inside");
    }
    const size = local.readUInt32LE(18);
    if (method === 0 && (flags & 8 || size === 0xffffffff)) {
      throw new InputError(`zip entry ${name} is stored without a size in its header`, file, undefined, "unzip it and pass the file inside");
    }
    return { name, dataOffset: 30 + nameLen + extraLen, method: method as 0 | 8, size };
  } finally {
    closeSync(fd);
  }
}
