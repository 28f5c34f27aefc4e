import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKSUM_BLOCK_BYTES, fileBlockChecksums, updatedBlockChecksums } from './block-checksum.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-block-checksum-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const bytesOf = (size: number, seed: number) => Buffer.alloc(size).map((_, i) => (i * 7919 + seed) & 255);

describe('block checksums', () => {
  // Sizes around the block size and the 4 MiB read size, where an off-by-one would show.
  const sizes = [0, 1, CHECKSUM_BLOCK_BYTES - 1, CHECKSUM_BLOCK_BYTES, CHECKSUM_BLOCK_BYTES + 1, 4 * 1024 * 1024, 4 * 1024 * 1024 + 123, 9_000_001];

  it.each(sizes)('give the CRC-32 of the whole file (%i bytes)', async (size) => {
    const file = path.join(tmp, `whole-${size}`);
    const data = bytesOf(size, 1);
    await fs.writeFile(file, data);
    const sums = await fileBlockChecksums(file);
    expect(sums).toMatchObject({ bytes: size, crc32: crc32(data) });
    expect(sums.blocks).toHaveLength(Math.ceil(size / CHECKSUM_BLOCK_BYTES));
  });

  it.each(sizes)('of a file changed in the ranges given are those of the changed file, read whole (%i bytes)', async (size) => {
    const file = path.join(tmp, `changed-${size}`);
    const data = bytesOf(size, 2);
    await fs.writeFile(file, data);
    const before = await fileBlockChecksums(file);
    // Two bytes changed (one in the last block), and a tail appended.
    const changed = Buffer.concat([data, Buffer.from('a tail the patch appended')]);
    const ranges = size > 10 ? [{ start: 5, end: 6 }, { start: size - 3, end: size - 2 }] : [];
    for (const { start } of ranges) changed[start] = changed[start]! ^ 0x5a;
    await fs.writeFile(file, changed);
    const after = await updatedBlockChecksums(file, before, ranges);
    expect(after).toEqual(await fileBlockChecksums(file));
    expect(after.crc32).toBe(crc32(changed));
  });

  it('of a file that shrank are those of the shorter file', async () => {
    const file = path.join(tmp, 'shrunk');
    await fs.writeFile(file, bytesOf(3 * CHECKSUM_BLOCK_BYTES + 10, 3));
    const before = await fileBlockChecksums(file);
    await fs.truncate(file, CHECKSUM_BLOCK_BYTES + 7);
    expect(await updatedBlockChecksums(file, before, [])).toEqual(await fileBlockChecksums(file));
  });
});
