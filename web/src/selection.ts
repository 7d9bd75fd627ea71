// Linked selection between maps of different representations, stacks and scopes.
//
// A point stands for the frames f .. f + stack - 1 of its file. Its core span is
// [(f - 0.5) * hop, (f + stack - 0.5) * hop) seconds: the frame centres it covers, each
// widened by half a hop. A point of another map is linked when its centre time
// (f + (stack - 1) / 2) * hop lies in the core span of a selected point of the same file, so
// maps with equal stacks link frame for frame, and a stack of 5 links to the 5 frames it
// contains in a map of single frames.

import type { MapMeta, Points } from "./data";

export type LinkMode = "frames" | "files";

function hopOf(meta: MapMeta): number {
  return meta.hop_s && meta.hop_s > 0 ? meta.hop_s : 1;
}

export class SelectionLinks {
  private spans = new Map<number, number[]>(); // file -> merged [start, end, start, end, ...]
  readonly files = new Set<number>();

  // Core spans of `indices` in a map; all points of `files` when indices is null.
  constructor(meta: MapMeta | null, points: Points | null, indices: number[] | null,
              files: Iterable<number> = []) {
    for (const file of files) this.files.add(file);
    if (!meta || !points || !indices) return;
    const hop = hopOf(meta);
    const raw = new Map<number, [number, number][]>();
    for (const i of indices) {
      const file = points.fileId[i];
      this.files.add(file);
      const start = (points.frame[i] - 0.5) * hop;
      const end = (points.frame[i] + meta.stack - 0.5) * hop;
      let list = raw.get(file);
      if (!list) raw.set(file, (list = []));
      list.push([start, end]);
    }
    for (const [file, list] of raw) {
      list.sort((a, b) => a[0] - b[0]);
      const merged: number[] = [];
      for (const [start, end] of list) {
        const last = merged.length - 1;
        if (last > 0 && start <= merged[last]) merged[last] = Math.max(merged[last], end);
        else merged.push(start, end);
      }
      this.spans.set(file, merged);
    }
  }

  // Mask of the points of a map that the selection links to.
  mask(meta: MapMeta, points: Points, mode: LinkMode): Uint8Array {
    const mask = new Uint8Array(points.count);
    if (mode === "files" || this.spans.size === 0) {
      for (let i = 0; i < points.count; i++) mask[i] = this.files.has(points.fileId[i]) ? 1 : 0;
      return mask;
    }
    const hop = hopOf(meta);
    const offset = (meta.stack - 1) / 2;
    for (let i = 0; i < points.count; i++) {
      const spans = this.spans.get(points.fileId[i]);
      if (!spans) continue;
      const centre = (points.frame[i] + offset) * hop;
      // Binary search for the last span starting at or before the centre.
      let low = 0;
      let high = spans.length / 2 - 1;
      let found = -1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (spans[2 * middle] <= centre) {
          found = middle;
          low = middle + 1;
        } else {
          high = middle - 1;
        }
      }
      if (found >= 0 && centre < spans[2 * found + 1]) mask[i] = 1;
    }
    return mask;
  }
}
