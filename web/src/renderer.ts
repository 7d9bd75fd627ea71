// A small WebGL 1 point renderer: one draw call per pass over all points, with pan and zoom
// as uniforms, so a million points stay smooth. Works with software GL (SwiftShader).

const vertexShader = `
precision highp float; // positions need full precision when zoomed in
attribute vec2 aPosition;
attribute vec4 aColor;
attribute vec2 aFlags; // x: group (0 train, 1 test normal, 2 test anomaly, 3 other), y: selected
uniform vec2 uCenter;     // viewer coordinates at the viewport centre
uniform vec2 uScale;      // clip units per viewer unit, per axis
uniform vec4 uGroupSize;  // point size factor per group; 0 hides the group
uniform vec4 uGroupAlpha; // opacity per group
uniform float uPointSize; // device pixels
uniform float uPass;      // 0: unselected points, 1: selected points
uniform float uHasSelection;
varying vec4 vColor;
void main() {
  float group = aFlags.x;
  float selected = aFlags.y;
  float size = group < 0.5 ? uGroupSize.x : group < 1.5 ? uGroupSize.y : group < 2.5 ? uGroupSize.z : uGroupSize.w;
  float alpha = group < 0.5 ? uGroupAlpha.x : group < 1.5 ? uGroupAlpha.y : group < 2.5 ? uGroupAlpha.z : uGroupAlpha.w;
  bool drawn = size > 0.0 && (uPass < 0.5 ? selected < 0.5 : selected > 0.5);
  gl_Position = drawn ? vec4((aPosition - uCenter) * uScale, 0.0, 1.0) : vec4(2.0, 2.0, 2.0, 1.0);
  gl_PointSize = drawn ? uPointSize * size * (uPass > 0.5 ? 1.6 : 1.0) : 0.0;
  vec3 color = aColor.rgb;
  if (uHasSelection > 0.5 && uPass < 0.5) {
    color = mix(color, vec3(0.22, 0.23, 0.27), 0.75);
    alpha *= 0.5;
  }
  vColor = vec4(color, alpha);
}`;

const fragmentShader = `
precision mediump float;
varying vec4 vColor;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  float r = dot(d, d);
  if (r > 0.25) discard;
  float edge = smoothstep(0.25, 0.16, r);
  gl_FragColor = vec4(vColor.rgb * vColor.a * edge, vColor.a * edge);
}`;

export interface View {
  centerX: number;
  centerY: number;
  zoom: number; // pixels per viewer unit
}

export interface DrawOptions {
  pointSize: number; // CSS pixels
  groupSize: [number, number, number, number];
  groupAlpha: [number, number, number, number];
  hasSelection: boolean;
  // Viewport in device pixels: x, y (from the bottom), width, height.
  viewport: [number, number, number, number];
}

function compile(gl: WebGLRenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type)!;
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    throw new Error(`WebGL shader: ${gl.getShaderInfoLog(shader)}`);
  }
  return shader;
}

export class PointRenderer {
  readonly gl: WebGLRenderingContext;
  private program: WebGLProgram;
  private positionBuffer: WebGLBuffer;
  private colorBuffer: WebGLBuffer;
  private flagsBuffer: WebGLBuffer;
  // Points in a seeded random order, so that a prefix of it is a uniform subsample: pan and
  // zoom of a large map can draw fewer points while the user interacts.
  private orderBuffer: WebGLBuffer;
  private hasUint32Indices: boolean;
  private count = 0;
  private uniforms: Record<string, WebGLUniformLocation | null> = {};
  private attributes: Record<string, number> = {};

  constructor(readonly canvas: HTMLCanvasElement) {
    const gl = canvas.getContext("webgl", {
      antialias: false,
      premultipliedAlpha: true,
      preserveDrawingBuffer: true, // screenshots read the canvas
    });
    if (!gl) throw new Error("WebGL is not available in this browser");
    this.gl = gl;
    const program = gl.createProgram()!;
    gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, vertexShader));
    gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fragmentShader));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
      throw new Error(`WebGL program: ${gl.getProgramInfoLog(program)}`);
    }
    this.program = program;
    for (const name of ["uCenter", "uScale", "uGroupSize", "uGroupAlpha", "uPointSize", "uPass", "uHasSelection"]) {
      this.uniforms[name] = gl.getUniformLocation(program, name);
    }
    for (const name of ["aPosition", "aColor", "aFlags"]) {
      this.attributes[name] = gl.getAttribLocation(program, name);
    }
    this.positionBuffer = gl.createBuffer()!;
    this.colorBuffer = gl.createBuffer()!;
    this.flagsBuffer = gl.createBuffer()!;
    this.orderBuffer = gl.createBuffer()!;
    this.hasUint32Indices = gl.getExtension("OES_element_index_uint") !== null;
  }

  setPositions(positions: Float32Array, count: number): void {
    const gl = this.gl;
    this.count = count;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.positionBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, positions, gl.STATIC_DRAW);
    if (this.hasUint32Indices) {
      const order = new Uint32Array(count);
      for (let i = 0; i < count; i++) order[i] = i;
      // Fisher-Yates with a xorshift32 generator of fixed seed: the same order on every load.
      let state = 2463534242;
      for (let i = count - 1; i > 0; i--) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        const j = (state >>> 0) % (i + 1);
        const swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.orderBuffer);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, order, gl.STATIC_DRAW);
    }
  }

  // Waits until the drawing is done by reading one pixel back (gl.finish() does not wait in
  // Chromium).
  sync(): void {
    const pixel = new Uint8Array(4);
    this.gl.readPixels(0, 0, 1, 1, this.gl.RGBA, this.gl.UNSIGNED_BYTE, pixel);
  }

  // RGBA bytes per point.
  setColors(colors: Uint8Array): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colorBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, colors, gl.DYNAMIC_DRAW);
  }

  // Two bytes per point: group and selected (0 or 1).
  setFlags(flags: Uint8Array): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.flagsBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, flags, gl.DYNAMIC_DRAW);
  }

  clear(): void {
    const gl = this.gl;
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.disable(gl.SCISSOR_TEST);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
  }

  // Draws the first `limit` points of the random order (all points by default).
  draw(view: View, options: DrawOptions, limit = Infinity): void {
    const gl = this.gl;
    if (this.count === 0) return;
    const drawn = Math.min(this.count, limit);
    const [vx, vy, vw, vh] = options.viewport;
    gl.viewport(vx, vy, vw, vh);
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(vx, vy, vw, vh);
    gl.useProgram(this.program);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);

    gl.bindBuffer(gl.ARRAY_BUFFER, this.positionBuffer);
    gl.enableVertexAttribArray(this.attributes.aPosition);
    gl.vertexAttribPointer(this.attributes.aPosition, 2, gl.FLOAT, false, 0, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colorBuffer);
    gl.enableVertexAttribArray(this.attributes.aColor);
    gl.vertexAttribPointer(this.attributes.aColor, 4, gl.UNSIGNED_BYTE, true, 0, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.flagsBuffer);
    gl.enableVertexAttribArray(this.attributes.aFlags);
    gl.vertexAttribPointer(this.attributes.aFlags, 2, gl.UNSIGNED_BYTE, false, 0, 0);

    const dpr = window.devicePixelRatio || 1;
    gl.uniform2f(this.uniforms.uCenter, view.centerX, view.centerY);
    gl.uniform2f(this.uniforms.uScale, (2 * view.zoom * dpr) / vw, (2 * view.zoom * dpr) / vh);
    gl.uniform4fv(this.uniforms.uGroupSize, options.groupSize);
    gl.uniform4fv(this.uniforms.uGroupAlpha, options.groupAlpha);
    gl.uniform1f(this.uniforms.uPointSize, options.pointSize * dpr);
    gl.uniform1f(this.uniforms.uHasSelection, options.hasSelection ? 1 : 0);
    const drawPoints = () => {
      if (this.hasUint32Indices) {
        gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.orderBuffer);
        gl.drawElements(gl.POINTS, drawn, gl.UNSIGNED_INT, 0);
      } else {
        gl.drawArrays(gl.POINTS, 0, drawn);
      }
    };
    gl.uniform1f(this.uniforms.uPass, 0);
    drawPoints();
    if (options.hasSelection) {
      gl.uniform1f(this.uniforms.uPass, 1);
      drawPoints();
    }
  }
}
