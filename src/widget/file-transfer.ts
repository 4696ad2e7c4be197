// Splits an encoded video into chunks for the trip back to the kernel
// (anim.save / anim.embed), each well under the server's websocket limit.
export const CHUNK_BYTES = 2 * 1024 * 1024;

export interface FileChunk {
  index: number;
  offset: number;
  data: Uint8Array;
}

export function splitIntoChunks(bytes: Uint8Array, chunkBytes = CHUNK_BYTES): FileChunk[] {
  const chunks: FileChunk[] = [];
  for (let offset = 0, index = 0; offset < bytes.length; offset += chunkBytes, index++) {
    chunks.push({ index, offset, data: bytes.subarray(offset, offset + chunkBytes) });
  }
  return chunks;
}
