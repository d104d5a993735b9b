/**
 * The zip container of a streamed xlsx: local headers with data descriptors (sizes and CRC come
 * after each entry's data, so nothing is buffered), deflate by the runtime's native
 * CompressionStream('deflate-raw'), and the central directory at the end. No ZIP64: an export
 * stays far below 4 GB per entry.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(crc: number, data: Uint8Array): number {
  let c = crc ^ 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Entry {
  name: Uint8Array;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

class Bytes {
  private buf: number[] = [];
  u16(v: number) {
    this.buf.push(v & 0xff, (v >>> 8) & 0xff);
    return this;
  }
  u32(v: number) {
    this.buf.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    return this;
  }
  raw(b: Uint8Array) {
    for (const x of b) this.buf.push(x);
    return this;
  }
  done() {
    return new Uint8Array(this.buf);
  }
}

// 1980-01-01 00:00 in DOS time: the files carry no meaningful timestamp
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FLAGS = 0x0808; // bit 3: sizes in a data descriptor; bit 11: UTF-8 names

export class ZipWriter {
  private offset = 0;
  private entries: Entry[] = [];

  private count(b: Uint8Array) {
    this.offset += b.length;
    return b;
  }

  /** A deflated entry: push its data in pieces (each yields the compressed bytes ready so far), then end. */
  deflated(name: string) {
    const entry: Entry = { name: new TextEncoder().encode(name), offset: this.offset, crc: 0, compressed: 0, size: 0 };
    this.entries.push(entry);
    const header = this.count(
      new Bytes().u32(0x04034b50).u16(20).u16(FLAGS).u16(8).u16(DOS_TIME).u16(DOS_DATE).u32(0).u32(0).u32(0).u16(entry.name.length).u16(0).raw(entry.name).done(),
    );
    const stream = new CompressionStream('deflate-raw');
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const ready: Uint8Array[] = [];
    // drains the compressor as it produces, so writes never wait on a reader
    const pump = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        ready.push(value);
      }
    })();
    let headerSent = false;
    const self = this;
    function* flush(): Generator<Uint8Array> {
      if (!headerSent) {
        headerSent = true;
        yield header;
      }
      while (ready.length > 0) {
        const chunk = ready.shift()!;
        entry.compressed += chunk.length;
        yield self.count(chunk);
      }
    }
    return {
      async *push(data: Uint8Array): AsyncGenerator<Uint8Array> {
        entry.crc = crc32(entry.crc, data);
        entry.size += data.length;
        await writer.write(data);
        yield* flush();
      },
      async *end(): AsyncGenerator<Uint8Array> {
        await writer.close();
        await pump;
        yield* flush();
        yield self.count(new Bytes().u32(0x08074b50).u32(entry.crc).u32(entry.compressed).u32(entry.size).done());
      },
    };
  }

  /** The central directory and its end record. */
  finish(): Uint8Array {
    const start = this.offset;
    const cd = new Bytes();
    for (const e of this.entries) {
      cd.u32(0x02014b50).u16(20).u16(20).u16(FLAGS).u16(8).u16(DOS_TIME).u16(DOS_DATE).u32(e.crc).u32(e.compressed).u32(e.size)
        .u16(e.name.length).u16(0).u16(0).u16(0).u16(0).u32(0).u32(e.offset).raw(e.name);
    }
    const dir = cd.done();
    const end = new Bytes().u32(0x06054b50).u16(0).u16(0).u16(this.entries.length).u16(this.entries.length).u32(dir.length).u32(start).u16(0).done();
    this.offset += dir.length + end.length;
    const out = new Uint8Array(dir.length + end.length);
    out.set(dir);
    out.set(end, dir.length);
    return out;
  }
}
