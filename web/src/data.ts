// Data access: the HTTP API of `uadscope serve`, or the data embedded by `export --html`.
// Both hand the viewer the same documents (see docs/explorer.md).

export interface MapMeta {
  id: string;
  rep: string;
  stack: number;
  scope: string;
  points: number;
  k: number;
  hop_s: number | null;
  window_s: number | null;
  attributes: Record<string, string>;
  numbers: Record<string, number | null>;
  center_x?: number | null;
  center_y?: number | null;
  scale?: number | null;
}

export interface Field {
  name: string;
  values: string[];
  codes: number[];
}

export interface FileTable {
  count: number;
  names: string[];
  duration_s: (number | null)[];
  fields: Field[];
}

export interface Workspace {
  name: string;
  files: number;
  maps: MapMeta[];
  scores: { name: string; matched: number }[];
  audio: boolean;
}

// Points of one map, as sent by /api/maps/<id>/points: positions are centred and scaled into
// [-1, 1] on the server in double precision.
export interface Points {
  count: number;
  positions: Float32Array; // [count * 2]
  fileId: Int32Array;
  frame: Int32Array;
  fitted: Uint8Array;
}

export interface Neighbor {
  point: number;
  distance: number | null;
  file_id: number;
  name: string;
  frame: number;
  split: string;
  label: string;
  start_s: number | null;
  end_s: number | null;
}

export interface DataSource {
  readonly audio: boolean;
  workspace(): Promise<Workspace>;
  files(): Promise<FileTable>;
  map(id: string): Promise<MapMeta>;
  points(id: string): Promise<Points>;
  neighbors(id: string, point: number): Promise<Neighbor[] | null>;
  scores(name: string): Promise<(number | null)[]>;
  audioUrl(fileId: number, start: number | null, end: number | null, context: number,
           normalize: boolean): string | null;
}

// Splits one binary block (layout in server/api.h) into typed arrays.
export function decodePointsBlock(buffer: ArrayBuffer, count: number): Points {
  const expected = count * 16 + Math.ceil(count / 4) * 4;
  if (buffer.byteLength !== expected) {
    throw new Error(`points block has ${buffer.byteLength} bytes, expected ${expected} for ${count} points`);
  }
  return {
    count,
    positions: new Float32Array(buffer, 0, 2 * count),
    fileId: new Int32Array(buffer, 8 * count, count),
    frame: new Int32Array(buffer, 12 * count, count),
    fitted: new Uint8Array(buffer, 16 * count, count),
  };
}

function concatPoints(pages: Points[]): Points {
  if (pages.length === 1) return pages[0];
  const count = pages.reduce((sum, page) => sum + page.count, 0);
  const result: Points = {
    count,
    positions: new Float32Array(2 * count),
    fileId: new Int32Array(count),
    frame: new Int32Array(count),
    fitted: new Uint8Array(count),
  };
  let at = 0;
  for (const page of pages) {
    result.positions.set(page.positions, 2 * at);
    result.fileId.set(page.fileId, at);
    result.frame.set(page.frame, at);
    result.fitted.set(page.fitted, at);
    at += page.count;
  }
  return result;
}

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).error ?? message;
    } catch {
      // The body was not one of the server's JSON errors.
    }
    throw new Error(`${url}: ${message}`);
  }
  return response.json() as Promise<T>;
}

export class HttpSource implements DataSource {
  readonly audio = true;

  workspace(): Promise<Workspace> {
    return fetchJson<Workspace>("api/workspace");
  }
  files(): Promise<FileTable> {
    return fetchJson<FileTable>("api/files");
  }
  map(id: string): Promise<MapMeta> {
    return fetchJson<MapMeta>(`api/maps/${encodeURIComponent(id)}`);
  }
  async points(id: string): Promise<Points> {
    // The server caps the points of one response; fetch pages until the map is complete.
    const pages: Points[] = [];
    let offset = 0;
    for (;;) {
      const url = `api/maps/${encodeURIComponent(id)}/points?offset=${offset}`;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
      const count = Number(response.headers.get("X-Points-Count"));
      const total = Number(response.headers.get("X-Points-Total"));
      pages.push(decodePointsBlock(await response.arrayBuffer(), count));
      offset += count;
      if (offset >= total || count === 0) break;
    }
    return concatPoints(pages);
  }
  async neighbors(id: string, point: number): Promise<Neighbor[] | null> {
    const result = await fetchJson<{ neighbors: Neighbor[] }>(
      `api/maps/${encodeURIComponent(id)}/neighbors/${point}`);
    return result.neighbors;
  }
  async scores(name: string): Promise<(number | null)[]> {
    const result = await fetchJson<{ scores: (number | null)[] }>(`api/scores/${encodeURIComponent(name)}`);
    return result.scores;
  }
  audioUrl(fileId: number, start: number | null, end: number | null, context: number,
           normalize: boolean): string {
    const query = new URLSearchParams();
    if (start !== null) query.set("start", start.toFixed(6));
    if (end !== null) query.set("end", end.toFixed(6));
    if (context > 0) query.set("context", String(context));
    if (normalize) query.set("normalize", "peak");
    const text = query.toString();
    return `audio/${fileId}${text ? "?" + text : ""}`;
  }
}

// Layout of the JSON that export --html embeds in <script id="uadscope-data">.
interface EmbeddedMap {
  meta: MapMeta;
  points: string; // base64 points block
  knn_indices?: string; // base64 int32 [points, k]
  knn_distances?: string; // base64 float32 [points, k]
}

interface EmbeddedData {
  workspace: Workspace;
  files: FileTable;
  maps: EmbeddedMap[];
  scores: { name: string; scores: (number | null)[] }[];
}

function decodeBase64(text: string): ArrayBuffer {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export class EmbeddedSource implements DataSource {
  readonly audio = false;
  private data: EmbeddedData;
  private decoded = new Map<string, Points>();
  private knn = new Map<string, { indices: Int32Array; distances: Float32Array }>();

  constructor(element: HTMLElement) {
    this.data = JSON.parse(element.textContent ?? "{}") as EmbeddedData;
  }

  private embedded(id: string): EmbeddedMap {
    const map = this.data.maps.find((candidate) => candidate.meta.id === id);
    if (!map) throw new Error(`map '${id}' is not in this export`);
    return map;
  }
  async workspace(): Promise<Workspace> {
    return this.data.workspace;
  }
  async files(): Promise<FileTable> {
    return this.data.files;
  }
  async map(id: string): Promise<MapMeta> {
    return this.embedded(id).meta;
  }
  async points(id: string): Promise<Points> {
    let points = this.decoded.get(id);
    if (!points) {
      const map = this.embedded(id);
      points = decodePointsBlock(decodeBase64(map.points), map.meta.points);
      this.decoded.set(id, points);
    }
    return points;
  }
  async neighbors(id: string, point: number): Promise<Neighbor[] | null> {
    const map = this.embedded(id);
    if (!map.knn_indices || !map.knn_distances) return null;
    const k = map.meta.k;
    let knn = this.knn.get(id);
    if (!knn) {
      knn = {
        indices: new Int32Array(decodeBase64(map.knn_indices)),
        distances: new Float32Array(decodeBase64(map.knn_distances)),
      };
      this.knn.set(id, knn);
    }
    const { indices, distances } = knn;
    const points = await this.points(id);
    const result: Neighbor[] = [];
    for (let j = 0; j < k; j++) {
      const neighbor = indices[point * k + j];
      const file = points.fileId[neighbor];
      result.push({
        point: neighbor,
        distance: distances[point * k + j],
        file_id: file,
        name: this.data.files.names[file],
        frame: points.frame[neighbor],
        split: fieldValue(this.data.files, "split", file),
        label: fieldValue(this.data.files, "label", file),
        start_s: null,
        end_s: null,
      });
    }
    return result;
  }
  async scores(name: string): Promise<(number | null)[]> {
    const set = this.data.scores.find((candidate) => candidate.name === name);
    if (!set) throw new Error(`score set '${name}' is not in this export`);
    return set.scores;
  }
  audioUrl(): null {
    return null;
  }
}

export function fieldValue(files: FileTable, name: string, file: number): string {
  const field = files.fields.find((candidate) => candidate.name === name);
  return field ? field.values[field.codes[file]] ?? "" : "";
}

export function openDataSource(): DataSource {
  const embedded = document.getElementById("uadscope-data");
  return embedded ? new EmbeddedSource(embedded) : new HttpSource();
}
