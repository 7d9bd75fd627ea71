// Palettes and per-point colours.

export type Rgb = [number, number, number];

// Categorical palette: Tableau 10 followed by lighter variants, readable on the dark
// background; values beyond it cycle through golden-angle hues.
const categorical: Rgb[] = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95], [186, 176, 172],
  [160, 203, 232], [255, 190, 125], [140, 209, 125], [182, 153, 45], [73, 152, 148],
  [134, 188, 182], [241, 206, 99], [212, 166, 200], [215, 181, 166], [121, 112, 110],
];

// Fixed colours for the values every DCASE manifest has, so that "anomaly" is always red.
const named: Record<string, Rgb> = {
  normal: [78, 160, 220],
  anomaly: [232, 72, 72],
  source: [90, 170, 110],
  target: [236, 168, 60],
  train: [150, 150, 170],
  test: [200, 120, 210],
  "train normal": [120, 130, 160],
  "test normal": [78, 160, 220],
  "test anomaly": [232, 72, 72],
  unknown: [130, 130, 130],
  "": [110, 110, 110],
};

export const missingColor: Rgb = [95, 95, 105];

function hsl(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

export function categoryColor(index: number, value?: string): Rgb {
  if (value !== undefined && value in named) return named[value];
  if (index < categorical.length) return categorical[index];
  return hsl(((index * 0.618033988749895) % 1 + 1) % 1, 0.6, 0.6);
}

// Colour of file `file` when colouring by file: golden-angle hues, so neighbouring ids differ.
export function fileColor(file: number): Rgb {
  return hsl((file * 0.618033988749895) % 1, 0.65, 0.58);
}

// Viridis, sampled at 9 stops (matplotlib's colormap).
const viridis: Rgb[] = [
  [68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export function viridisColor(t: number): Rgb {
  const x = Math.max(0, Math.min(1, t)) * (viridis.length - 1);
  const i = Math.min(viridis.length - 2, Math.floor(x));
  const f = x - i;
  const a = viridis[i];
  const b = viridis[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

export function cssColor(rgb: Rgb): string {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

export function viridisGradient(): string {
  return `linear-gradient(to right, ${viridis.map(cssColor).join(", ")})`;
}
