// A uniform grid over the viewer coordinates [-1, 1]^2 for picking and region selection.

export class GridIndex {
  readonly size: number; // cells per side
  private cellStart: Int32Array; // [size * size + 1]
  private cellPoints: Int32Array; // point indices sorted by cell

  constructor(private positions: Float32Array, count: number) {
    // About four points per cell on average, between 16 and 1024 cells per side.
    this.size = Math.max(16, Math.min(1024, Math.ceil(Math.sqrt(count / 4))));
    const cells = this.size * this.size;
    const cellOf = new Int32Array(count);
    const counts = new Int32Array(cells + 1);
    for (let i = 0; i < count; i++) {
      const cell = this.cell(positions[2 * i], positions[2 * i + 1]);
      cellOf[i] = cell;
      if (cell >= 0) counts[cell + 1]++;
    }
    for (let c = 0; c < cells; c++) counts[c + 1] += counts[c];
    this.cellStart = counts.slice();
    this.cellPoints = new Int32Array(counts[cells]);
    const fill = counts.slice(0, cells);
    for (let i = 0; i < count; i++) {
      const cell = cellOf[i];
      if (cell >= 0) this.cellPoints[fill[cell]++] = i;
    }
  }

  private coordinate(value: number): number {
    return Math.min(this.size - 1, Math.max(0, Math.floor(((value + 1) / 2) * this.size)));
  }

  // Cell of a position, or -1 for a position that is not finite.
  private cell(x: number, y: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return -1;
    return this.coordinate(y) * this.size + this.coordinate(x);
  }

  // Calls visit(i) for every point in cells that intersect the rectangle.
  forEachInRect(x0: number, y0: number, x1: number, y1: number, visit: (i: number) => void): void {
    const cx0 = this.coordinate(Math.min(x0, x1));
    const cx1 = this.coordinate(Math.max(x0, x1));
    const cy0 = this.coordinate(Math.min(y0, y1));
    const cy1 = this.coordinate(Math.max(y0, y1));
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const cell = cy * this.size + cx;
        for (let j = this.cellStart[cell]; j < this.cellStart[cell + 1]; j++) visit(this.cellPoints[j]);
      }
    }
  }

  // Nearest point to (x, y) within `radius` that `accept` admits, or -1.
  nearest(x: number, y: number, radius: number, accept: (i: number) => boolean): number {
    let best = -1;
    let bestDistance = radius * radius;
    this.forEachInRect(x - radius, y - radius, x + radius, y + radius, (i) => {
      const dx = this.positions[2 * i] - x;
      const dy = this.positions[2 * i + 1] - y;
      const distance = dx * dx + dy * dy;
      if (distance <= bestDistance && accept(i)) {
        best = i;
        bestDistance = distance;
      }
    });
    return best;
  }

  // Points inside the polygon (x0, y0, x1, y1, ...) that `accept` admits.
  inPolygon(polygon: number[], accept: (i: number) => boolean): number[] {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let j = 0; j < polygon.length; j += 2) {
      minX = Math.min(minX, polygon[j]);
      maxX = Math.max(maxX, polygon[j]);
      minY = Math.min(minY, polygon[j + 1]);
      maxY = Math.max(maxY, polygon[j + 1]);
    }
    const inside: number[] = [];
    if (polygon.length < 6) return inside;
    this.forEachInRect(minX, minY, maxX, maxY, (i) => {
      const x = this.positions[2 * i];
      const y = this.positions[2 * i + 1];
      if (x < minX || x > maxX || y < minY || y > maxY) return;
      if (pointInPolygon(x, y, polygon) && accept(i)) inside.push(i);
    });
    return inside;
  }
}

// Even-odd rule by ray casting.
export function pointInPolygon(x: number, y: number, polygon: number[]): boolean {
  let inside = false;
  const n = polygon.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = polygon[2 * i], yi = polygon[2 * i + 1];
    const xj = polygon[2 * j], yj = polygon[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
