// The explorer: toolbar, map panels, tooltip, details, neighbours, legend, audio and export.

import { categoryColor, cssColor, fileColor, missingColor, viridisColor, viridisGradient, type Rgb } from "./colors";
import { fieldValue, type DataSource, type FileTable, type MapMeta, type Neighbor, type Points, type Workspace } from "./data";
import { GROUP_ANOMALY, GROUP_NORMAL, GROUP_OTHER, GROUP_TRAIN, MapPanel, type PanelHost, type Tool } from "./panel";
import { SelectionLinks, type LinkMode } from "./selection";

type ColorBy = { kind: "field"; name: string } | { kind: "score"; name: string } | { kind: "file" };

interface Selection {
  sourceSlot: number; // panel the selection was drawn in; -1 for a search
  indices: number[] | null; // points drawn around in that panel; null for a search
  links: SelectionLinks;
}

const DEFAULT_COLOR_FIELDS = ["split_label", "device", "section", "domain", "label", "split"];
const LEGEND_MAX_ENTRIES = 24;
const SEARCH_MAX_LISTED = 8;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page element #${id} is missing`);
  return element as T;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function formatSeconds(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "?" : value.toFixed(3);
}

function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return Math.abs(value) >= 1000 || (Math.abs(value) < 0.01 && value !== 0) ? value.toExponential(3) : value.toFixed(4);
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export class Explorer implements PanelHost {
  private workspace!: Workspace;
  private files!: FileTable;
  private panels: MapPanel[] = [];
  private pointsCache = new Map<string, Promise<{ meta: MapMeta; points: Points }>>();
  private scoreCache = new Map<string, Promise<(number | null)[]>>();
  private fileGroup = new Uint8Array(0);
  private currentTool: Tool = "pan";
  private colorBy: ColorBy = { kind: "file" };
  private linkMode: LinkMode = "frames";
  private selection: Selection | null = null;
  private current: { slot: number; point: number } | null = null;
  private tooltipScore: string | null = null;
  private scoreValues: (number | null)[] | null = null;
  private scoreRange: [number, number] = [0, 1];

  // Read by the browser tests.
  ready = false;
  lastError: string | null = null;

  constructor(private source: DataSource) {}

  async start(): Promise<void> {
    try {
      this.setStatus("Loading workspace…");
      this.workspace = await this.source.workspace();
      this.files = await this.source.files();
      document.title = `uadscope · ${this.workspace.name}`;
      byId("workspace-name").textContent = this.workspace.name;
      this.computeFileGroups();
      this.setupToolbar();
      this.setupPlayer();
      if (this.workspace.maps.length === 0) {
        this.setStatus("This workspace has no maps yet: run `uadscope map` (or `uadscope run`) first.");
        this.ready = true;
        return;
      }
      const initialPanels = Math.min(2, this.workspace.maps.length);
      await this.setPanelCount(initialPanels);
      this.setStatus(null);
      this.ready = true;
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.lastError = message;
    this.setStatus(`Error: ${message}`, true);
  }

  private setStatus(text: string | null, isError = false): void {
    const status = byId("status");
    status.hidden = text === null;
    status.textContent = text ?? "";
    status.classList.toggle("error", isError);
  }

  // ---- PanelHost ----

  tool(): Tool {
    return this.currentTool;
  }
  pointSize(): number {
    return Number(byId<HTMLInputElement>("point-size").value);
  }
  dual(): boolean {
    return byId<HTMLInputElement>("dual").checked;
  }

  onHover(panel: MapPanel, point: number, clientX: number, clientY: number): void {
    const tooltip = byId("tooltip");
    if (point < 0 || !panel.points || !panel.meta) {
      tooltip.hidden = true;
      return;
    }
    tooltip.innerHTML = this.pointSummaryHtml(panel, point, true);
    tooltip.hidden = false;
    const margin = 14;
    const width = tooltip.offsetWidth;
    const height = tooltip.offsetHeight;
    let left = clientX + margin;
    let top = clientY + margin;
    if (left + width > window.innerWidth - 4) left = clientX - width - margin;
    if (top + height > window.innerHeight - 4) top = clientY - height - margin;
    tooltip.style.left = `${Math.max(4, left)}px`;
    tooltip.style.top = `${Math.max(4, top)}px`;
  }

  onClick(panel: MapPanel, point: number): void {
    this.setCurrent(panel.slot, point, true);
  }

  onSelect(panel: MapPanel, points: number[]): void {
    if (points.length === 0) {
      this.clearSelection();
      return;
    }
    this.selection = {
      sourceSlot: panel.slot,
      indices: points,
      links: new SelectionLinks(panel.meta, panel.points, points),
    };
    this.applySelection(panel, points);
  }

  onMapChange(panel: MapPanel, id: string): void {
    void this.loadPanel(panel, id).catch((error) => this.fail(error));
  }

  // ---- Panels ----

  private async setPanelCount(count: number): Promise<void> {
    const container = byId("panels");
    while (this.panels.length > count) this.panels.pop()!.dispose();
    const loads: Promise<void>[] = [];
    while (this.panels.length < count) {
      const slot = this.panels.length;
      const panel = new MapPanel(slot, this, this.workspace.maps);
      this.panels.push(panel);
      container.append(panel.element);
      const map = this.workspace.maps[slot % this.workspace.maps.length];
      loads.push(this.loadPanel(panel, map.id));
    }
    container.dataset.count = String(count);
    document.querySelectorAll<HTMLButtonElement>("[data-panels]").forEach((button) => {
      button.classList.toggle("active", Number(button.dataset.panels) === count);
    });
    await Promise.all(loads);
    for (const panel of this.panels) panel.fit();
  }

  private loadMap(id: string): Promise<{ meta: MapMeta; points: Points }> {
    let entry = this.pointsCache.get(id);
    if (!entry) {
      entry = (async () => {
        const meta = await this.source.map(id);
        const points = await this.source.points(id);
        return { meta, points };
      })();
      this.pointsCache.set(id, entry);
      entry.catch(() => this.pointsCache.delete(id));
    }
    return entry;
  }

  private async loadPanel(panel: MapPanel, id: string): Promise<void> {
    const listed = this.workspace.maps.find((map) => map.id === id);
    this.setStatus(`Loading ${id} (${listed ? listed.points.toLocaleString() : "?"} points)…`);
    const { meta, points } = await this.loadMap(id);
    if (this.selection && this.selection.sourceSlot === panel.slot) {
      // The drawn region belonged to the previous map; keep its links, drop its indices.
      this.selection.sourceSlot = -1;
      this.selection.indices = null;
    }
    const group = new Uint8Array(points.count);
    for (let i = 0; i < points.count; i++) group[i] = this.fileGroup[points.fileId[i]];
    panel.setMap(meta, points, group);
    panel.setColors(await this.colorsFor(points));
    if (this.selection) {
      panel.setSelection(this.selection.links.mask(meta, points, this.linkMode));
    }
    this.updateSelectionUi();
    this.setStatus(null);
  }

  private computeFileGroups(): void {
    this.fileGroup = new Uint8Array(this.files.count);
    for (let file = 0; file < this.files.count; file++) {
      const split = fieldValue(this.files, "split", file);
      const label = fieldValue(this.files, "label", file);
      this.fileGroup[file] = split === "train" ? GROUP_TRAIN
        : label === "anomaly" ? GROUP_ANOMALY
        : split === "test" && label === "normal" ? GROUP_NORMAL
        : GROUP_OTHER;
    }
  }

  // ---- Colours ----

  private async colorsFor(points: Points): Promise<Uint8Array> {
    const colors = new Uint8Array(4 * points.count);
    let perFile: Rgb[];
    if (this.colorBy.kind === "file") {
      perFile = Array.from({ length: this.files.count }, (_, file) => fileColor(file));
    } else if (this.colorBy.kind === "score") {
      const scores = this.scoreValues ?? [];
      const [low, high] = this.scoreRange;
      perFile = Array.from({ length: this.files.count }, (_, file) => {
        const score = scores[file];
        return score === null || score === undefined ? missingColor : viridisColor((score - low) / (high - low || 1));
      });
    } else {
      const field = this.files.fields.find((candidate) => candidate.name === (this.colorBy as { name: string }).name);
      const palette = field ? field.values.map((value, index) => categoryColor(index, value)) : [];
      perFile = Array.from({ length: this.files.count }, (_, file) =>
        field ? palette[field.codes[file]] : missingColor);
    }
    for (let i = 0; i < points.count; i++) {
      const rgb = perFile[points.fileId[i]] ?? missingColor;
      colors[4 * i] = rgb[0];
      colors[4 * i + 1] = rgb[1];
      colors[4 * i + 2] = rgb[2];
      colors[4 * i + 3] = 255;
    }
    return colors;
  }

  private async setColorBy(value: string): Promise<void> {
    const [kind, ...rest] = value.split(":");
    const name = rest.join(":");
    this.colorBy = kind === "score" ? { kind, name } : kind === "field" ? { kind, name } : { kind: "file" };
    if (this.colorBy.kind === "score") {
      let entry = this.scoreCache.get(name);
      if (!entry) {
        entry = this.source.scores(name);
        this.scoreCache.set(name, entry);
      }
      this.scoreValues = await entry;
      const finite = this.scoreValues.filter((score): score is number => score !== null && Number.isFinite(score)).sort((a, b) => a - b);
      // The 2nd and 98th percentiles, so that one extreme file does not flatten the scale.
      const at = (q: number) => finite[Math.min(finite.length - 1, Math.max(0, Math.round(q * (finite.length - 1))))];
      this.scoreRange = finite.length > 0 ? [at(0.02), at(0.98)] : [0, 1];
      this.tooltipScore = name;
    }
    for (const panel of this.panels) {
      if (panel.points) panel.setColors(await this.colorsFor(panel.points));
    }
    this.renderLegend();
  }

  private renderLegend(): void {
    const legend = byId("legend");
    if (this.colorBy.kind === "file") {
      legend.innerHTML = `<p class="muted">Each file has its own colour (${this.files.count.toLocaleString()} files).</p>`;
      return;
    }
    if (this.colorBy.kind === "score") {
      const [low, high] = this.scoreRange;
      const missing = (this.scoreValues ?? []).filter((score) => score === null).length;
      legend.innerHTML = `<div class="gradient" style="background:${viridisGradient()}"></div>
        <div class="gradient-labels"><span>${formatNumber(low)}</span><span>score: ${escapeHtml(this.colorBy.name)}</span><span>${formatNumber(high)}</span></div>
        <p class="muted"><span class="swatch" style="background:${cssColor(missingColor)}"></span> no score (${missing.toLocaleString()} files)</p>`;
      return;
    }
    const name = this.colorBy.name;
    const field = this.files.fields.find((candidate) => candidate.name === name);
    if (!field) {
      legend.textContent = "";
      return;
    }
    const counts = new Array(field.values.length).fill(0);
    for (const code of field.codes) counts[code]++;
    const order = field.values.map((_, index) => index).sort((a, b) => counts[b] - counts[a]);
    const rows = order.slice(0, LEGEND_MAX_ENTRIES).map((index) => {
      const value = field.values[index];
      return `<div class="legend-row"><span class="swatch" style="background:${cssColor(categoryColor(index, value))}"></span>
        <span class="legend-value">${escapeHtml(value === "" ? "(none)" : value)}</span><span class="muted">${counts[index].toLocaleString()}</span></div>`;
    });
    if (order.length > LEGEND_MAX_ENTRIES) rows.push(`<p class="muted">+${order.length - LEGEND_MAX_ENTRIES} more values</p>`);
    legend.innerHTML = `<p class="muted">${escapeHtml(name)} · files per value</p>${rows.join("")}`;
  }

  // ---- Selection ----

  private applySelection(sourcePanel: MapPanel | null, sourcePoints: number[] | null): void {
    for (const panel of this.panels) {
      if (!panel.meta || !panel.points) continue;
      if (panel === sourcePanel && sourcePoints && this.linkMode === "frames") {
        const mask = new Uint8Array(panel.points.count);
        for (const i of sourcePoints) mask[i] = 1;
        panel.setSelection(mask);
      } else if (this.selection) {
        panel.setSelection(this.selection.links.mask(panel.meta, panel.points, this.linkMode));
      }
    }
    this.updateSelectionUi();
  }

  private clearSelection(): void {
    this.selection = null;
    for (const panel of this.panels) panel.setSelection(null);
    this.updateSelectionUi();
  }

  private updateSelectionUi(): void {
    const total = this.panels.reduce((sum, panel) => sum + panel.selectedCount, 0);
    const files = this.selection ? this.selection.links.files.size : 0;
    byId("selection-count").textContent = this.selection
      ? `${total.toLocaleString()} points · ${files.toLocaleString()} files selected`
      : "no selection";
    byId<HTMLButtonElement>("export-csv").disabled = total === 0;
    byId<HTMLButtonElement>("clear-selection").disabled = !this.selection;
  }

  private exportCsv(): void {
    const header = ["map", "point", "file", "frame", "stack", "start_s", "end_s", "device", "section",
      "domain", "split", "label", "attributes", "x", "y"];
    const lines = [header.join(",")];
    for (const panel of this.panels) {
      if (!panel.meta || !panel.points || panel.selectedCount === 0) continue;
      const { meta, points } = panel;
      const scale = meta.scale ?? 1;
      const centerX = meta.center_x ?? 0;
      const centerY = meta.center_y ?? 0;
      for (let i = 0; i < points.count; i++) {
        if (!panel.selected[i]) continue;
        const file = points.fileId[i];
        const span = this.span(meta, points, i);
        lines.push([
          meta.id, i, this.files.names[file], points.frame[i], meta.stack,
          formatSeconds(span.start), formatSeconds(span.end),
          fieldValue(this.files, "device", file), fieldValue(this.files, "section", file),
          fieldValue(this.files, "domain", file), fieldValue(this.files, "split", file),
          fieldValue(this.files, "label", file), fieldValue(this.files, "attributes", file),
          (points.positions[2 * i] * scale + centerX).toPrecision(7),
          (points.positions[2 * i + 1] * scale + centerY).toPrecision(7),
        ].map(csvField).join(","));
      }
    }
    const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `uadscope-selection-${this.workspace.name || "workspace"}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  // ---- Search ----

  private matchingFiles(text: string): number[] {
    const needle = text.trim().toLowerCase();
    if (!needle) return [];
    const matches: number[] = [];
    this.files.names.forEach((name, file) => {
      if (name.toLowerCase().includes(needle)) matches.push(file);
    });
    return matches;
  }

  private runSearch(select: boolean): void {
    const text = byId<HTMLInputElement>("search").value;
    const matches = this.matchingFiles(text);
    const count = byId("search-count");
    if (!text.trim()) {
      count.textContent = "";
      return;
    }
    count.textContent = matches.length === 0 ? "no file"
      : `${matches.length.toLocaleString()} file${matches.length === 1 ? "" : "s"}${select ? "" : " · Enter selects"}`;
    count.title = matches.slice(0, SEARCH_MAX_LISTED).map((file) => this.files.names[file]).join("\n");
    if (select && matches.length > 0) {
      this.selection = { sourceSlot: -1, indices: null, links: new SelectionLinks(null, null, null, matches) };
      const previous = this.linkMode;
      this.linkMode = "files";
      this.applySelection(null, null);
      this.linkMode = previous;
    }
  }

  // ---- Details, neighbours and audio ----

  private span(meta: MapMeta, points: Points, i: number): { start: number | null; end: number | null } {
    const hop = meta.hop_s;
    const window = meta.window_s ?? hop;
    if (hop === null || window === null) return { start: null, end: null };
    const frame = points.frame[i];
    const duration = this.files.duration_s[points.fileId[i]];
    let start = Math.max(0, frame * hop - window / 2);
    let end = Math.max(start, (frame + meta.stack - 1) * hop + window / 2);
    if (duration !== null) {
      start = Math.min(start, duration);
      end = Math.min(end, duration);
    }
    return { start, end };
  }

  private pointSummaryHtml(panel: MapPanel, point: number, compact: boolean): string {
    const meta = panel.meta!;
    const points = panel.points!;
    const file = points.fileId[point];
    const span = this.span(meta, points, point);
    const value = (name: string) => escapeHtml(fieldValue(this.files, name, file));
    const label = fieldValue(this.files, "label", file);
    const rows: [string, string][] = [
      ["device", value("device")],
      ["section", value("section")],
      ["domain", value("domain")],
      ["split", value("split")],
      ["label", `<span class="label-${escapeHtml(label)}">${escapeHtml(label)}</span>`],
      ["attributes", value("attributes").replace(/;/g, "; ") || "–"],
      ["time", `${formatSeconds(span.start)}–${formatSeconds(span.end)} s`],
      ["frame", `${points.frame[point]} (stack ${meta.stack})`],
    ];
    if (this.tooltipScore && this.scoreValues) {
      const title = this.tooltipScore === "scores" ? "score" : `score (${escapeHtml(this.tooltipScore)})`;
      rows.push([title, formatNumber(this.scoreValues[file])]);
    }
    if (!compact) {
      const scale = meta.scale ?? 1;
      rows.push(["map", escapeHtml(meta.id)]);
      rows.push(["point", `${point}${points.fitted[point] ? "" : " (placed by transform)"}`]);
      rows.push(["x, y", `${formatNumber(points.positions[2 * point] * scale + (meta.center_x ?? 0))}, ${formatNumber(points.positions[2 * point + 1] * scale + (meta.center_y ?? 0))}`]);
    }
    return `<div class="file-name">${escapeHtml(this.files.names[file])}</div>
      <table>${rows.map(([key, text]) => `<tr><th>${key}</th><td>${text}</td></tr>`).join("")}</table>`;
  }

  private setCurrent(slot: number, point: number, play: boolean): void {
    const panel = this.panels[slot];
    if (!panel || !panel.points || !panel.meta) return;
    this.current = { slot, point };
    for (const other of this.panels) {
      other.current = other === panel ? point : -1;
      other.requestRender();
    }
    byId("details").classList.remove("muted");
    byId("details").innerHTML = this.pointSummaryHtml(panel, point, false);
    byId<HTMLButtonElement>("play-span").disabled = !this.source.audio;
    byId<HTMLButtonElement>("play-file").disabled = !this.source.audio;
    void this.showNeighbors(panel, point);
    if (play) this.playCurrent(false);
  }

  private async showNeighbors(panel: MapPanel, point: number): Promise<void> {
    const container = byId("neighbors");
    const meta = panel.meta!;
    if (meta.k === 0) {
      container.innerHTML = `<p class="muted">This map has no stored neighbours.</p>`;
      return;
    }
    container.innerHTML = `<p class="muted">Loading…</p>`;
    let neighbors: Neighbor[] | null;
    try {
      neighbors = await this.source.neighbors(meta.id, point);
    } catch (error) {
      container.textContent = `Neighbours unavailable: ${error instanceof Error ? error.message : error}`;
      return;
    }
    if (!this.current || this.current.point !== point || this.panels[this.current.slot] !== panel) return;
    if (!neighbors) {
      container.innerHTML = `<p class="muted">Neighbours were not included in this export.</p>`;
      return;
    }
    const trainOnly = byId<HTMLInputElement>("train-only").checked;
    const otherFiles = byId<HTMLInputElement>("other-files").checked;
    const ownFile = panel.points!.fileId[point];
    const listed = neighbors.filter((neighbor) =>
      (!trainOnly || neighbor.split === "train") && (!otherFiles || neighbor.file_id !== ownFile));
    if (listed.length === 0) {
      const expected = [trainOnly ? "a training frame" : "a frame", otherFiles ? "of another file" : ""].join(" ").trim();
      container.innerHTML = `<p class="muted">None of the ${neighbors.length} nearest frames is ${expected}.</p>`;
      return;
    }
    const points = panel.points!;
    container.innerHTML = "";
    const list = document.createElement("ol");
    list.className = "neighbor-list";
    for (const neighbor of listed) {
      const span = this.span(meta, points, neighbor.point);
      const item = document.createElement("li");
      const play = document.createElement("button");
      play.className = "small play";
      play.textContent = "▶";
      play.title = "Play this frame's span";
      play.disabled = !this.source.audio;
      play.addEventListener("click", (event) => {
        event.stopPropagation();
        this.play(neighbor.file_id, span.start, span.end, `${neighbor.name} · ${formatSeconds(span.start)}–${formatSeconds(span.end)} s`);
      });
      const text = document.createElement("div");
      text.className = "neighbor-text";
      text.title = neighbor.name;
      text.innerHTML = `<div class="file-name">${escapeHtml(neighbor.name.split("/").pop() ?? neighbor.name)}</div>
        <div class="muted">frame ${neighbor.frame} · ${formatSeconds(span.start)}–${formatSeconds(span.end)} s · d = ${formatNumber(neighbor.distance)} · <span class="label-${escapeHtml(neighbor.label)}">${escapeHtml(neighbor.split)} ${escapeHtml(neighbor.label)}</span></div>`;
      item.append(play, text);
      item.title = "Show this frame";
      item.addEventListener("click", () => this.setCurrent(panel.slot, neighbor.point, false));
      list.append(item);
    }
    container.append(list);
  }

  private playCurrent(wholeFile: boolean): void {
    if (!this.current) return;
    const panel = this.panels[this.current.slot];
    if (!panel?.points || !panel.meta) return;
    const point = this.current.point;
    const file = panel.points.fileId[point];
    if (wholeFile) {
      this.play(file, null, null, `${this.files.names[file]} (whole file)`);
    } else {
      const span = this.span(panel.meta, panel.points, point);
      this.play(file, span.start, span.end, `${this.files.names[file]} · ${formatSeconds(span.start)}–${formatSeconds(span.end)} s`);
    }
  }

  private play(file: number, start: number | null, end: number | null, label: string): void {
    const context = Number(byId<HTMLSelectElement>("context").value);
    const normalize = byId<HTMLInputElement>("normalize").checked;
    const url = this.source.audioUrl(file, start, end, context, normalize);
    if (!url) return;
    const audio = byId<HTMLAudioElement>("audio");
    audio.src = url;
    byId("now-playing").textContent = label;
    audio.play().catch((error) => {
      byId("now-playing").textContent = `${label}: playback failed (${error instanceof Error ? error.message : error})`;
    });
  }

  // ---- Toolbar ----

  private setupToolbar(): void {
    document.querySelectorAll<HTMLButtonElement>("[data-panels]").forEach((button) => {
      const count = Number(button.dataset.panels);
      button.addEventListener("click", () => void this.setPanelCount(count).catch((error) => this.fail(error)));
    });
    const setTool = (tool: Tool) => {
      this.currentTool = tool;
      document.querySelectorAll<HTMLButtonElement>("[data-tool]").forEach((button) => {
        button.classList.toggle("active", button.dataset.tool === tool);
      });
      document.body.dataset.tool = tool;
    };
    document.querySelectorAll<HTMLButtonElement>("[data-tool]").forEach((button) => {
      button.addEventListener("click", () => setTool(button.dataset.tool as Tool));
    });
    setTool("pan");

    const colorBy = byId<HTMLSelectElement>("color-by");
    const addOption = (parent: HTMLElement, value: string, text: string) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = text;
      parent.append(option);
    };
    const fields = document.createElement("optgroup");
    fields.label = "Manifest field";
    const names = this.files.fields.map((field) => field.name);
    const ordered = [...DEFAULT_COLOR_FIELDS.filter((name) => names.includes(name)),
      ...names.filter((name) => !DEFAULT_COLOR_FIELDS.includes(name))];
    for (const name of ordered) addOption(fields, `field:${name}`, name.replace("split_label", "split + label"));
    colorBy.append(fields);
    if (this.workspace.scores.length > 0) {
      const scores = document.createElement("optgroup");
      scores.label = "Detector score";
      for (const set of this.workspace.scores) addOption(scores, `score:${set.name}`, `score: ${set.name}`);
      colorBy.append(scores);
    }
    addOption(colorBy, "file", "file");
    colorBy.value = ordered.length > 0 ? `field:${ordered[0]}` : "file";
    colorBy.addEventListener("change", () => void this.setColorBy(colorBy.value).catch((error) => this.fail(error)));
    void this.setColorBy(colorBy.value);
    if (this.workspace.scores.length > 0) {
      // The tooltip shows the first score set until the user colours by another one.
      const first = this.workspace.scores[0].name;
      this.tooltipScore = first;
      const entry = this.source.scores(first);
      this.scoreCache.set(first, entry);
      void entry.then((values) => {
        if (this.colorBy.kind !== "score") this.scoreValues = values;
      });
    }

    byId<HTMLSelectElement>("link-mode").addEventListener("change", (event) => {
      this.linkMode = (event.target as HTMLSelectElement).value as LinkMode;
      if (this.selection) {
        const source = this.panels[this.selection.sourceSlot];
        this.applySelection(source ?? null, this.selection.indices);
      }
    });
    byId<HTMLInputElement>("dual").addEventListener("change", () => {
      for (const panel of this.panels) panel.fit();
    });
    byId<HTMLInputElement>("point-size").addEventListener("input", () => {
      for (const panel of this.panels) panel.requestRender();
    });
    const search = byId<HTMLInputElement>("search");
    search.addEventListener("input", () => this.runSearch(false));
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.runSearch(true);
    });
    byId("export-csv").addEventListener("click", () => this.exportCsv());
    byId("clear-selection").addEventListener("click", () => this.clearSelection());
    for (const id of ["train-only", "other-files"]) {
      byId<HTMLInputElement>(id).addEventListener("change", () => {
        if (this.current) {
          const panel = this.panels[this.current.slot];
          if (panel) void this.showNeighbors(panel, this.current.point);
        }
      });
    }
    document.addEventListener("keydown", (event) => {
      const target = event.target;
      if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return;
      if (event.key === "Escape") this.clearSelection();
      if (event.key === "p" || event.key === "P") setTool("pan");
      if (event.key === "l" || event.key === "L") setTool("lasso");
      if (event.key === "b" || event.key === "B") setTool("box");
    });
  }

  private setupPlayer(): void {
    byId("play-span").addEventListener("click", () => this.playCurrent(false));
    byId("play-file").addEventListener("click", () => this.playCurrent(true));
    if (!this.source.audio) {
      for (const id of ["play-span", "play-file", "context", "normalize"]) {
        (byId(id) as HTMLButtonElement).disabled = true;
      }
      byId("audio").hidden = true;
      const note = byId("audio-note");
      note.hidden = false;
      note.textContent = "Audio playback needs the live explorer: run `uadscope serve WORK` next to the audio files.";
      document.body.classList.add("no-audio");
    }
  }

  // ---- Hooks for the browser tests ----

  testHooks() {
    return {
      ready: () => this.ready,
      error: () => this.lastError,
      panels: () => this.panels.map((panel) => ({
        map: panel.meta?.id ?? null,
        points: panel.points?.count ?? 0,
        selected: panel.selectedCount,
      })),
      // Page coordinates of a point of a panel (the first half that shows it).
      pointPosition: (slot: number, point: number) => {
        const panel = this.panels[slot];
        const position = panel.screenPositions(point)[0];
        if (!position) return null;
        const rect = panel.overlayRect();
        return { x: rect.left + position.x, y: rect.top + position.y };
      },
      // A point whose nearest other point is farthest away among a sample, so hovering it is
      // unambiguous.
      isolatedPoint: (slot: number) => {
        const points = this.panels[slot].points!;
        let best = 0;
        let bestDistance = -1;
        const step = Math.max(1, Math.floor(points.count / 400));
        for (let i = 0; i < points.count; i += step) {
          let nearest = Infinity;
          for (let j = 0; j < points.count; j += Math.max(1, Math.floor(points.count / 4000))) {
            if (j === i) continue;
            const dx = points.positions[2 * i] - points.positions[2 * j];
            const dy = points.positions[2 * i + 1] - points.positions[2 * j + 1];
            nearest = Math.min(nearest, dx * dx + dy * dy);
          }
          if (nearest > bestDistance) {
            bestDistance = nearest;
            best = i;
          }
        }
        return best;
      },
      renderMilliseconds: (slot: number, interacting: boolean) => this.panels[slot].measureRender(interacting),
      canvasRect: (slot: number) => {
        const rect = this.panels[slot].overlayRect();
        return { x: rect.left, y: rect.top, width: rect.width, height: rect.height };
      },
    };
  }
}
