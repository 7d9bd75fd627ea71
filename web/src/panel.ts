// One map on screen: a WebGL canvas for the points, a 2-D overlay for the lasso, hover and
// current-point marks, and the pointer interactions (pan, zoom, lasso, box, hover, click).

import type { MapMeta, Points } from "./data";
import { PointRenderer, type View } from "./renderer";
import { GridIndex } from "./spatial";

export type Tool = "pan" | "lasso" | "box";

// Groups of the dual view: training data is the shadow on both halves, normal test data is
// drawn on the left and anomalous test data on the right.
export const GROUP_TRAIN = 0;
export const GROUP_NORMAL = 1;
export const GROUP_ANOMALY = 2;
export const GROUP_OTHER = 3;

export interface PanelHost {
  tool(): Tool;
  pointSize(): number;
  dual(): boolean;
  onHover(panel: MapPanel, point: number, clientX: number, clientY: number): void;
  onClick(panel: MapPanel, point: number): void;
  onSelect(panel: MapPanel, points: number[]): void;
  onMapChange(panel: MapPanel, id: string): void;
}

const HOVER_RADIUS_PX = 10;
const DRAG_THRESHOLD_PX = 4;
// While the user pans or zooms, a large map draws only as many points as fit in this frame
// time, judged from the last full drawing; the full map returns once the view is still.
const INTERACTIVE_FRAME_MS = 25;
const MIN_INTERACTIVE_POINTS = 20000;
const SETTLE_MS = 200;

interface Drag {
  mode: Tool;
  startX: number;
  startY: number;
  lastX: number;
  lastY: number;
  path: number[]; // canvas CSS pixels, x0, y0, x1, y1, ...
  moved: boolean;
}

export class MapPanel {
  readonly element: HTMLElement;
  readonly select: HTMLSelectElement;
  private canvas: HTMLCanvasElement;
  private overlay: HTMLCanvasElement;
  private info: HTMLElement;
  private renderer: PointRenderer;
  private view: View = { centerX: 0, centerY: 0, zoom: 100 };
  private bounds = { minX: -1, minY: -1, maxX: 1, maxY: 1 };
  private drag: Drag | null = null;
  private frameRequested = false;
  private interacting = false;
  private settleTimer = 0;
  private fullRenderMs = 0; // time of the last full drawing of a large map
  private resizeObserver: ResizeObserver;

  meta: MapMeta | null = null;
  points: Points | null = null;
  index: GridIndex | null = null;
  group: Uint8Array = new Uint8Array(0); // per point
  flags: Uint8Array = new Uint8Array(0); // per point: group, selected
  selected: Uint8Array = new Uint8Array(0); // per point, 0 or 1
  selectedCount = 0;
  hovered = -1;
  current = -1;

  constructor(readonly slot: number, private host: PanelHost, maps: MapMeta[]) {
    this.element = document.createElement("div");
    this.element.className = "panel";
    this.element.dataset.slot = String(slot);

    const header = document.createElement("div");
    header.className = "panel-header";
    this.select = document.createElement("select");
    this.select.className = "map-select";
    for (const map of maps) {
      const option = document.createElement("option");
      option.value = map.id;
      option.textContent = `${map.rep} · stack ${map.stack} · ${map.scope} (${map.points.toLocaleString()} points)`;
      this.select.append(option);
    }
    this.select.addEventListener("change", () => host.onMapChange(this, this.select.value));
    this.info = document.createElement("span");
    this.info.className = "panel-info muted";
    const fit = document.createElement("button");
    fit.className = "small";
    fit.textContent = "Fit";
    fit.title = "Show the whole map";
    fit.addEventListener("click", () => this.fit());
    header.append(this.select, this.info, fit);

    const stage = document.createElement("div");
    stage.className = "stage";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "points";
    this.overlay = document.createElement("canvas");
    this.overlay.className = "overlay";
    stage.append(this.canvas, this.overlay);
    this.element.append(header, stage);

    this.renderer = new PointRenderer(this.canvas);
    this.installPointerHandlers();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(stage);
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    this.renderer.gl.getExtension("WEBGL_lose_context")?.loseContext();
    this.element.remove();
  }

  setMap(meta: MapMeta, points: Points, group: Uint8Array): void {
    this.meta = meta;
    this.points = points;
    this.group = group;
    this.select.value = meta.id;
    this.index = new GridIndex(points.positions, points.count);
    this.bounds = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    for (let i = 0; i < points.count; i++) {
      const x = points.positions[2 * i];
      const y = points.positions[2 * i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      this.bounds.minX = Math.min(this.bounds.minX, x);
      this.bounds.maxX = Math.max(this.bounds.maxX, x);
      this.bounds.minY = Math.min(this.bounds.minY, y);
      this.bounds.maxY = Math.max(this.bounds.maxY, y);
    }
    if (!(this.bounds.minX <= this.bounds.maxX)) this.bounds = { minX: -1, minY: -1, maxX: 1, maxY: 1 };
    this.renderer.setPositions(points.positions, points.count);
    this.selected = new Uint8Array(points.count);
    this.selectedCount = 0;
    this.flags = new Uint8Array(2 * points.count);
    for (let i = 0; i < points.count; i++) this.flags[2 * i] = group[i];
    this.renderer.setFlags(this.flags);
    this.hovered = -1;
    this.current = -1;
    this.updateInfo();
    this.fit();
  }

  setColors(colors: Uint8Array): void {
    this.renderer.setColors(colors);
    this.requestRender();
  }

  setSelection(mask: Uint8Array | null): void {
    if (!this.points) return;
    let count = 0;
    for (let i = 0; i < this.points.count; i++) {
      const value = mask ? mask[i] : 0;
      this.selected[i] = value;
      this.flags[2 * i + 1] = value;
      count += value;
    }
    this.selectedCount = count;
    this.renderer.setFlags(this.flags);
    this.updateInfo();
    this.requestRender();
  }

  private updateInfo(): void {
    if (!this.points) return;
    this.info.textContent = this.selectedCount > 0
      ? `${this.selectedCount.toLocaleString()} of ${this.points.count.toLocaleString()} selected`
      : "";
  }

  // Shows the bounding box of the points with a margin.
  fit(): void {
    const { width, height } = this.halfSize();
    const { minX, minY, maxX, maxY } = this.bounds;
    const spanX = Math.max(maxX - minX, 1e-6);
    const spanY = Math.max(maxY - minY, 1e-6);
    this.view = {
      centerX: (minX + maxX) / 2,
      centerY: (minY + maxY) / 2,
      zoom: Math.max(1, Math.min(width / spanX, height / spanY) * 0.9),
    };
    this.requestRender();
  }

  // CSS pixel size of one drawing area (half the stage in the dual view).
  private halfSize(): { width: number; height: number } {
    const width = this.overlay.clientWidth || 1;
    const height = this.overlay.clientHeight || 1;
    return { width: this.host.dual() ? width / 2 : width, height };
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.overlay.clientWidth * dpr));
    const height = Math.max(1, Math.round(this.overlay.clientHeight * dpr));
    for (const canvas of [this.canvas, this.overlay]) {
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
    }
    this.requestRender();
  }

  requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.render();
    });
  }

  // Which groups one half shows: the dual view splits normal (left) from anomalous (right)
  // test data and repeats the training shadow on both.
  private halves(): { left: number; groups: [boolean, boolean, boolean, boolean] }[] {
    if (!this.host.dual()) return [{ left: 0, groups: [true, true, true, true] }];
    const { width } = this.halfSize();
    return [
      { left: 0, groups: [true, true, false, true] },
      { left: width, groups: [true, false, true, false] },
    ];
  }

  // Marks the view as moving, so that frames draw a subsample until it settles.
  private interact(): void {
    this.interacting = true;
    window.clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => {
      this.interacting = false;
      this.requestRender();
    }, SETTLE_MS);
  }

  private pointLimit(): number {
    const count = this.points?.count ?? 0;
    if (!this.interacting || this.fullRenderMs <= INTERACTIVE_FRAME_MS) return count;
    const fitting = Math.floor((count * INTERACTIVE_FRAME_MS) / this.fullRenderMs);
    return Math.min(count, Math.max(MIN_INTERACTIVE_POINTS, fitting));
  }

  render(): void {
    const start = performance.now();
    const limit = this.pointLimit();
    this.renderer.clear();
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.halfSize();
    const dual = this.host.dual();
    const size = this.host.pointSize();
    const hasSelection = this.selectedCount > 0;
    for (const half of this.halves()) {
      const viewport: [number, number, number, number] = [
        Math.round(half.left * dpr), 0, Math.round(width * dpr), Math.round(height * dpr)];
      if (!dual) {
        this.renderer.draw(this.view, {
          pointSize: size, viewport, hasSelection,
          groupSize: [1, 1, 1, 1],
          groupAlpha: [0.85, 0.85, 0.85, 0.85],
        }, limit);
        continue;
      }
      // Training data first as a larger translucent shadow, then the test data on top.
      const visible = (g: number) => (half.groups[g] ? 1 : 0);
      this.renderer.draw(this.view, {
        pointSize: size, viewport, hasSelection,
        groupSize: [visible(0) * 2.2, 0, 0, visible(3) * 2.2],
        groupAlpha: [0.22, 1, 1, 0.22],
      }, limit);
      this.renderer.draw(this.view, {
        pointSize: size, viewport, hasSelection,
        groupSize: [0, visible(1), visible(2), 0],
        groupAlpha: [0.85, 0.9, 0.95, 0.85],
      }, limit);
    }
    const count = this.points?.count ?? 0;
    if (limit === count && count > MIN_INTERACTIVE_POINTS) {
      this.renderer.sync();
      this.fullRenderMs = performance.now() - start;
    }
    this.drawOverlay();
  }

  // Milliseconds to draw one frame, all points or the subsample drawn while the view moves
  // (for benchmarks).
  measureRender(interacting: boolean): number {
    const previous = this.interacting;
    this.interacting = interacting;
    const start = performance.now();
    this.render();
    this.renderer.sync();
    this.interacting = previous;
    return performance.now() - start;
  }

  private drawOverlay(): void {
    const context = this.overlay.getContext("2d")!;
    const dpr = window.devicePixelRatio || 1;
    context.setTransform(dpr, 0, 0, dpr, 0, 0);
    context.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const { width, height } = this.halfSize();
    if (this.host.dual()) {
      context.strokeStyle = "rgba(255,255,255,0.18)";
      context.beginPath();
      context.moveTo(width + 0.5, 0);
      context.lineTo(width + 0.5, height);
      context.stroke();
      context.font = "600 12px system-ui, sans-serif";
      context.fillStyle = "rgba(120,175,230,0.95)";
      context.fillText("normal test + training", 10, 18);
      context.fillStyle = "rgba(240,110,110,0.95)";
      context.fillText("anomalous test + training", width + 10, 18);
    }
    for (const [point, color, radius] of [
      [this.current, "#ffffff", 9],
      [this.hovered, "#ffd54a", 7],
    ] as [number, string, number][]) {
      if (point < 0 || !this.points) continue;
      for (const position of this.screenPositions(point)) {
        context.strokeStyle = color;
        context.lineWidth = 2;
        context.beginPath();
        context.arc(position.x, position.y, radius, 0, 2 * Math.PI);
        context.stroke();
      }
    }
    if (this.drag && this.drag.moved && this.drag.mode !== "pan") {
      context.strokeStyle = "#ffd54a";
      context.fillStyle = "rgba(255,213,74,0.12)";
      context.lineWidth = 1.5;
      context.setLineDash([5, 4]);
      context.beginPath();
      const path = this.drag.path;
      context.moveTo(path[0], path[1]);
      for (let j = 2; j < path.length; j += 2) context.lineTo(path[j], path[j + 1]);
      context.closePath();
      context.fill();
      context.stroke();
      context.setLineDash([]);
    }
  }

  // Viewer coordinates of an overlay position (CSS pixels), and the half it lies in.
  private toData(x: number, y: number): { x: number; y: number; half: number } {
    const { width, height } = this.halfSize();
    const half = this.host.dual() && x >= width ? 1 : 0;
    const localX = x - half * width;
    return {
      x: this.view.centerX + (localX - width / 2) / this.view.zoom,
      y: this.view.centerY - (y - height / 2) / this.view.zoom,
      half,
    };
  }

  // Overlay positions (CSS pixels) of a point: one per half that shows its group.
  screenPositions(point: number): { x: number; y: number }[] {
    if (!this.points) return [];
    const { width, height } = this.halfSize();
    const px = this.points.positions[2 * point];
    const py = this.points.positions[2 * point + 1];
    const result: { x: number; y: number }[] = [];
    for (const half of this.halves()) {
      if (!half.groups[this.group[point]]) continue;
      result.push({
        x: half.left + width / 2 + (px - this.view.centerX) * this.view.zoom,
        y: height / 2 - (py - this.view.centerY) * this.view.zoom,
      });
    }
    return result;
  }

  // Overlay rectangle in page coordinates, for tests and the tooltip.
  overlayRect(): DOMRect {
    return this.overlay.getBoundingClientRect();
  }

  private pick(x: number, y: number): number {
    if (!this.index || !this.points) return -1;
    const data = this.toData(x, y);
    const groups = this.halves()[data.half].groups;
    return this.index.nearest(data.x, data.y, HOVER_RADIUS_PX / this.view.zoom,
      (i) => groups[this.group[i]]);
  }

  private installPointerHandlers(): void {
    const overlay = this.overlay;
    const local = (event: PointerEvent | WheelEvent | MouseEvent) => {
      const rect = overlay.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    };

    overlay.addEventListener("wheel", (event) => {
      event.preventDefault();
      const { x, y } = local(event);
      const before = this.toData(x, y);
      const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015));
      this.interact();
      this.view.zoom = Math.min(1e7, Math.max(1, this.view.zoom * factor));
      const after = this.toData(x, y);
      this.view.centerX += before.x - after.x;
      this.view.centerY += before.y - after.y;
      this.requestRender();
    }, { passive: false });

    overlay.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      overlay.setPointerCapture(event.pointerId);
      const { x, y } = local(event);
      let mode = this.host.tool();
      if (event.shiftKey) mode = "lasso";
      else if (event.altKey) mode = "box";
      this.drag = { mode, startX: x, startY: y, lastX: x, lastY: y, path: [x, y], moved: false };
    });

    overlay.addEventListener("pointermove", (event) => {
      const { x, y } = local(event);
      const drag = this.drag;
      if (!drag) {
        const point = this.pick(x, y);
        if (point !== this.hovered) {
          this.hovered = point;
          this.drawOverlay();
        }
        this.host.onHover(this, point, event.clientX, event.clientY);
        return;
      }
      if (!drag.moved && Math.hypot(x - drag.startX, y - drag.startY) < DRAG_THRESHOLD_PX) return;
      drag.moved = true;
      if (drag.mode === "pan") {
        this.interact();
        this.view.centerX -= (x - drag.lastX) / this.view.zoom;
        this.view.centerY += (y - drag.lastY) / this.view.zoom;
        this.requestRender();
      } else if (drag.mode === "lasso") {
        drag.path.push(x, y);
        this.drawOverlay();
      } else {
        drag.path = [drag.startX, drag.startY, x, drag.startY, x, y, drag.startX, y];
        this.drawOverlay();
      }
      drag.lastX = x;
      drag.lastY = y;
      this.host.onHover(this, -1, event.clientX, event.clientY);
    });

    const finish = (event: PointerEvent) => {
      const drag = this.drag;
      this.drag = null;
      if (!drag) return;
      if (!drag.moved) {
        const { x, y } = local(event);
        const point = this.pick(x, y);
        if (point >= 0) this.host.onClick(this, point);
        return;
      }
      if (drag.mode !== "pan") this.selectRegion(drag.path);
      this.drawOverlay();
    };
    overlay.addEventListener("pointerup", finish);
    overlay.addEventListener("pointercancel", () => {
      this.drag = null;
      this.drawOverlay();
    });
    overlay.addEventListener("pointerleave", () => {
      if (this.drag) return;
      this.hovered = -1;
      this.drawOverlay();
      this.host.onHover(this, -1, 0, 0);
    });
    overlay.addEventListener("dblclick", () => this.fit());
  }

  // Selects the points inside a path drawn on the overlay (CSS pixels). In the dual view the
  // path's half decides which groups can be selected.
  private selectRegion(path: number[]): void {
    if (!this.index || path.length < 6) return;
    const { width, height } = this.halfSize();
    const half = this.toData(path[0], path[1]).half;
    const polygon: number[] = [];
    for (let j = 0; j < path.length; j += 2) {
      polygon.push(
        this.view.centerX + (path[j] - half * width - width / 2) / this.view.zoom,
        this.view.centerY - (path[j + 1] - height / 2) / this.view.zoom);
    }
    const groups = this.halves()[half].groups;
    const inside = this.index.inPolygon(polygon, (i) => groups[this.group[i]]);
    this.host.onSelect(this, inside);
  }
}
